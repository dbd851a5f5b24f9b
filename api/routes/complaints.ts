import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { ComplaintCategory, ComplaintChannel, RemedyKind, SUMMARY_MAX_CHARS, TEXT_MAX_CHARS } from '../../domain/complaint/complaint.js';
import { ComplaintSeverity } from '../../domain/complaint/serviceLevels.js';
import { Money } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';
import { ContactInput } from './customers.js';

/**
 * Words as the customer or the desk said them. How long they may be, in characters as a reader
 * counts them, is the complaint's rule (CPL-02, CPL-21); these bounds only stop absurd bodies.
 */
const Words = (maxChars: number) => z.string().trim().min(1).max(2 * maxChars);

/** Whether the figures are in range (1 to 5, 0 to 10) is the complaint's rule CPL-18, answered by name. */
const Score = z.number().int();

export const complaintRoutes =
  ({ commands: { complaints } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const ComplaintBody = z
      .object({
        id: Uuid.optional(),
        customerId: Uuid,
        channel: ComplaintChannel,
        category: ComplaintCategory,
        severity: ComplaintSeverity,
        summary: Words(SUMMARY_MAX_CHARS),
        detail: Words(TEXT_MAX_CHARS).optional(),
        orderId: Uuid.optional(),
        promiseId: Uuid.optional(),
        opportunityId: Uuid.optional(),
        sku: ShortText(100).optional(),
        reporter: ContactInput.omit({ title: true }).strict().optional(),
      })
      .strict();

    app.post(
      '/complaints',
      {
        config: { allow: PERMISSIONS.complaints },
        schema: {
          tags: ['complaints'],
          summary: "File a customer's complaint; its clocks start under the policy's service levels in force",
          description:
            "The customer, and any order, promise, deal (opportunityId) or sku named, must exist (404); the order, promise and deal must be the customer's (422, CPL-03). A conduct or false_promise complaint names the promise, deal or order it is about, whose seller it is about (CPL-04). The reporter's name, phone and e-mail are sealed with the customer's key (none is taken once the customer's personal data was erased, CPL-22). The complaint records the policy revision whose targets it runs under and when each clock runs out; findings lists the compliance findings raised (CMP-10, for a complaint about a promise).",
          body: ComplaintBody,
          response: { 201: commandResponses[201].extend({ findings: z.array(z.string()) }) },
        },
      },
      async (request, reply) => {
        const complaintId = newStreamId(request, request.body.id);
        const { id: _id, ...complaint } = request.body;
        const { result, findings } = await complaints.file({ complaintId, ...complaint }, commandEnvelope(request));
        return sendCommandResult(reply, complaintId, result, 201, { findings });
      },
    );

    const action = actionRoutes(app, { tags: ['complaints'] });
    const work = { allow: PERMISSIONS.complaints };

    action('/complaints/:id/assign', {
      config: work,
      summary: 'Give the complaint to someone active on the roster (CPL-07)',
      body: z.object({ assigneeId: ShortText(200) }).strict(),
      handle: (id, assignment, envelope) => complaints.assign(id, assignment, envelope),
    });

    action('/complaints/:id/respond', {
      config: work,
      summary: 'The first response to the customer: it stops the response clock (CPL-08)',
      body: z.object({ note: Words(TEXT_MAX_CHARS) }).strict(),
      handle: (id, response, envelope) => complaints.respond(id, response, envelope),
    });

    action('/complaints/:id/note', {
      config: work,
      summary: 'A note on the complaint: a reply to the customer, or internal',
      body: z.object({ note: Words(TEXT_MAX_CHARS), internal: z.boolean().default(false) }).strict(),
      handle: (id, note, envelope) => complaints.note(id, note, envelope),
    });

    action('/complaints/:id/request-info', {
      config: work,
      summary: 'Ask the customer for information: the clocks stand until it arrives (CPL-09)',
      body: z.object({ note: Words(TEXT_MAX_CHARS) }).strict(),
      handle: (id, request, envelope) => complaints.requestInfo(id, request, envelope),
    });

    action('/complaints/:id/info-received', {
      config: work,
      summary: "The customer's answer: the clocks run again (CPL-09)",
      body: z.object({ note: Words(TEXT_MAX_CHARS) }).strict(),
      handle: (id, answer, envelope) => complaints.receiveInfo(id, answer, envelope),
    });

    action('/complaints/:id/escalate', {
      config: work,
      summary: "Take the complaint up the policy's escalation ladder to a higher level, with the reason (CPL-10)",
      description: 'The role that takes over is the one the ladder names for the level. The watcher escalates on its own when a clock the ladder names runs out.',
      body: z.object({ level: z.number().int().positive().max(100), reason: Words(TEXT_MAX_CHARS) }).strict(),
      handle: (id, escalation, envelope) => complaints.escalate(id, escalation, envelope),
    });

    action('/complaints/:id/severity', {
      config: work,
      summary: "Change the complaint's severity, with the reason: its clocks count again from filing under the new targets (CPL-20)",
      body: z.object({ severity: ComplaintSeverity, reason: Words(TEXT_MAX_CHARS) }).strict(),
      handle: (id, change, envelope) => complaints.changeSeverity(id, change, envelope),
    });

    action('/complaints/:id/propose', {
      config: work,
      summary: 'Propose a resolution and a remedy to the customer',
      description:
        "A refund, credit note or service credit states its amount, an apology, a replacement or none carries none (CPL-11); money is in the order's currency and no more than its total (CPL-12), and within the remedy authority the policy gives the caller's role (CPL-13).",
      body: z
        .object({ resolution: Words(TEXT_MAX_CHARS), remedy: z.object({ kind: RemedyKind, amount: Money.optional() }).strict().optional() })
        .strict(),
      handle: (id, proposal, envelope) => complaints.propose(id, proposal, envelope),
    });

    action('/complaints/:id/resolve', {
      config: work,
      summary: 'Resolve the complaint, settling the remedy last proposed; it stops the resolution clock',
      description:
        "Only after a first response (CPL-14); never by the seller a conduct or false_promise complaint is about (CPL-15); the remedy must be within the resolver's authority (CPL-13). upheld says the customer was right: a complaint upheld against a promise marks the promise broken.",
      body: z.object({ resolution: Words(TEXT_MAX_CHARS), upheld: z.boolean().optional() }).strict(),
      handle: (id, resolution, envelope) => complaints.resolve(id, resolution, envelope),
    });

    action('/complaints/:id/reopen', {
      config: work,
      summary: "Reopen a resolved or closed complaint at the customer's request, within the policy's reopen window (CPL-16)",
      body: z.object({ reason: Words(TEXT_MAX_CHARS) }).strict(),
      handle: (id, reopening, envelope) => complaints.reopen(id, reopening, envelope),
    });

    action('/complaints/:id/close', {
      config: work,
      summary: 'Close a resolved complaint (CPL-17); never the seller a conduct or false_promise complaint is about, nor their manager (CPL-15)',
      body: z.object({}).strict(),
      handle: (id, _body, envelope) => complaints.close(id, envelope),
    });

    action('/complaints/:id/rate', {
      config: { allow: PERMISSIONS.rateComplaints },
      summary: "Record the customer's rating, once, after the resolution: satisfaction 1-5, recommendation 0-10 (CPL-18)",
      body: z.object({ csat: Score, nps: Score.optional(), comment: Words(TEXT_MAX_CHARS).optional() }).strict(),
      handle: (id, rating, envelope) => complaints.rate(id, rating, envelope),
    });
  };
