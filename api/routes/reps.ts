import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import { newId } from '../../application/ids.js';
import { PERMISSIONS, ROLES } from '../../application/roles.js';
import { isCertified } from '../../domain/team/rep.js';
import { REP_DOCS, REPS, type RepView } from '../../projections/reps/repsProjection.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, sendCommandResult } from '../commands.js';
import { awaitPosition } from '../readYourWrites.js';
import { Instant, PageQuery, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** The identity an API key carries; it names the rep's stream, so it is kept to characters safe in a path. */
const ActorId = z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, '1-200 characters of letters, digits and . _ : @ -');
const RepParams = z.object({ id: ActorId }).strict();
const Role = z.enum(ROLES);

const RepItem = z.object({
  id: z.string(),
  name: z.string(),
  team: z.string(),
  role: z.string(),
  managerId: z.string().nullable(),
  active: z.boolean(),
  offboardedAt: z.string().nullable(),
  offboardReason: z.string().nullable(),
  certifications: z.array(
    z.object({ sku: z.string(), course: z.string(), trainingId: z.string(), passedAt: z.string(), expiresAt: z.string(), valid: z.boolean() }),
  ),
  hiredAt: z.string(),
  updatedAt: z.string(),
});

export const repRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const {
      commands: { reps },
      views,
      clock,
    } = services;

    app.post(
      '/reps',
      {
        config: { allow: PERMISSIONS.manageTeam },
        schema: {
          tags: ['team'],
          summary: 'Hire a rep onto the roster',
          description:
            "actorId is the identity the rep's API key carries, so the rules find the rep behind a command; managerId is the manager's actorId. The roster holds sales_rep and sales_manager only (REP-13); a manager hires reps, an admin anyone (REP-14). The role decides the rep's discount authority under the policy.",
          body: z.object({ actorId: ActorId, name: ShortText(200), team: ShortText(100), role: Role, managerId: ActorId.optional() }).strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { actorId, name, team, role, managerId } = request.body;
        const result = await reps.hire({ actorId, name, team, role, ...(managerId !== undefined ? { managerId } : {}) }, commandEnvelope(request));
        return sendCommandResult(reply, actorId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['team'], params: RepParams });

    action('/reps/:id/training', {
      config: { allow: PERMISSIONS.recordTraining },
      summary: 'Record a course the rep passed and the products it certifies them on, until it expires',
      description: 'No one records their own training (REP-08). passedAt may not be still to come; expiresAt must follow it.',
      body: z
        .object({
          id: Uuid.optional(),
          course: ShortText(200),
          passedAt: Instant,
          certifies: z.array(ShortText(100)).max(200),
          expiresAt: Instant,
        })
        .strict(),
      status: 201,
      handle: (id, { id: trainingId = newId(), course, passedAt, certifies, expiresAt }, envelope) =>
        reps.recordTraining(id, { trainingId, course, passedAt, certifies, expiresAt }, envelope),
    });

    action('/reps/:id/role', {
      config: { allow: PERMISSIONS.manageTeam },
      summary: "Change the rep's role, and with it their discount authority",
      body: z.object({ role: Role, reason: Reason.optional() }).strict(),
      handle: (id, { role, reason }, envelope) => reps.changeRole(id, { role, ...(reason ? { reason } : {}) }, envelope),
    });

    action('/reps/:id/team', {
      config: { allow: PERMISSIONS.manageTeam },
      summary: 'Move the rep to a team, under the manager named (none when omitted)',
      body: z.object({ team: ShortText(100), managerId: ActorId.optional() }).strict(),
      handle: (id, { team, managerId }, envelope) => reps.changeTeam(id, { team, ...(managerId !== undefined ? { managerId } : {}) }, envelope),
    });

    action('/reps/:id/offboard', {
      config: { allow: PERMISSIONS.manageTeam },
      summary: 'Offboard the rep, with the reason: from then on their key issues no command (403). A manager offboards reps, an admin anyone',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, offboarding, envelope) => reps.offboard(id, offboarding, envelope),
    });

    action('/reps/:id/reinstate', {
      config: { allow: ['admin'] },
      summary: 'Reinstate an offboarded rep, with the reason (admin only): their key issues commands again',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, reinstatement, envelope) => reps.reinstate(id, reinstatement, envelope),
    });

    app.get(
      '/views/reps/:id',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'One rep: role, team, manager, whether active, and each certification with its expiry and whether it is valid now',
          params: RepParams,
          querystring: z.object({ after: PageQuery.after }).strict(),
          response: { 200: RepItem },
        },
      },
      async (request) => {
        await awaitPosition(services, request, [REPS], request.query.after);
        const rep = (await views.get(REPS, REP_DOCS, request.params.id)) as RepView | null;
        if (!rep) throw new NotFound('Rep', request.params.id);
        const now = clock.now();
        return { ...rep, certifications: rep.certifications.map((cert) => ({ ...cert, valid: isCertified({ certifications: [cert] }, cert.sku, now) })) };
      },
    );
  };
