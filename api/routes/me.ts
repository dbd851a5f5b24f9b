import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS, ROLES, type Role } from '../../application/roles.js';

type Permission = keyof typeof PERMISSIONS;
const PERMISSION_NAMES = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];

/** The kinds of route a role may reach, as the route gates read them off PERMISSIONS. */
export const permissionsOf = (role: Role): Permission[] =>
  PERMISSION_NAMES.filter((permission) => (PERMISSIONS[permission] as readonly Role[]).includes(role));

/** Who the caller's key speaks for, so a client can show only what that role may see or do. */
export const meRoutes = (): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/me',
    {
      config: { allow: ROLES },
      schema: {
        tags: ['identity'],
        summary: "The signed-in key's actor, its role and the kinds of route that role may reach",
        description:
          "`permissions` names each kind of route the role may call (the route gates' own list, in the order they are declared): `readViews` the pipeline and deal views, `readFindings` the findings and the inspection report, `audit` raw streams, replays and verification, `answerFindings`, `waiveFindings` and `closeFindings` the finding lifecycle, and so on. A rule of the record acted on may still refuse a particular caller (a 403 or 422 naming it).",
        response: {
          200: z.object({ actorId: z.string(), role: z.enum(ROLES), permissions: z.array(z.enum(PERMISSION_NAMES)) }),
        },
      },
    },
    async (request) => {
      // Authentication set it from the key's identity, whose role is one of ROLES.
      const role = request.actor.role as Role;
      return { actorId: request.actor.id, role, permissions: permissionsOf(role) };
    },
  );
};
