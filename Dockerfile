# The service as API and worker processes run it; ROLE chooses which (see README, Production).
FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 compiles when no prebuilt binary fits the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# The same node flags as npm start (README, Configuration: the heap cap).
CMD ["node", "--enable-source-maps", "--max-old-space-size=1024", "dist/main.js"]
