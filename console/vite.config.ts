import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console's build: files only (no inline script, nothing inlined as data), served by the API process at /console. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // A data: URL would need the Content-Security-Policy to allow one.
    assetsInlineLimit: 0,
    // ECharts' core and canvas renderer are about 530 kB minified; they load only with the pages that draw a chart.
    chunkSizeWarningLimit: 600,
  },
});
