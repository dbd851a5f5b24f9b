import { ViewBehind } from '../../application/errors.js';
import type { ChannelClaims } from '../../application/ports/channelClaims.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import type { Money } from '../../domain/shared/money.js';
import type { RegistrationEvent } from '../../domain/partner/registration.js';
import type { Projection } from '../projection.js';
import type { ProjectionProgress } from '../projectionProgress.js';
import type { ViewReader } from '../viewReader.js';

export const REGISTRATIONS = 'registrations';
export const REGISTRATION_DOCS = 'registrations';

export type RegistrationView = Document & {
  partnerId: string;
  customerId: string | null;
  company: string | null;
  customerKey: string;
  skus: string[];
  expectedAmount: Money;
  expiresAt: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  submittedBy: string;
  submittedAt: string;
  decidedBy: string | null;
  reason: string | null;
  updatedAt: string;
};

/** Every deal registration with its status: the channel-conflict check reads the approved ones on a customer. */
export const registrationsProjection: Projection<RegistrationEvent['type']> = {
  name: REGISTRATIONS,
  version: 1,
  collections: [{ name: REGISTRATION_DOCS, indexes: { customerKey: 'string', status: 'string', partnerId: 'string' } }],
  handles: ['RegistrationSubmitted', 'RegistrationApproved', 'RegistrationRejected', 'RegistrationExpired'],
  documentsFor: (event) => [{ collection: REGISTRATION_DOCS, id: event.data.registrationId }],
  apply(event, view) {
    const at = new Date(String(event.metadata.occurredAt)).toISOString();
    if (event.type === 'RegistrationSubmitted') {
      const { registrationId, partnerId, customerId, company, customerKey, skus, expectedAmount, expiresAt, submittedBy } = event.data;
      const submitted: RegistrationView = {
        id: registrationId,
        partnerId,
        customerId: customerId ?? null,
        company: company ?? null,
        customerKey,
        skus,
        expectedAmount,
        expiresAt: new Date(expiresAt).toISOString(),
        status: 'pending',
        submittedBy,
        submittedAt: at,
        decidedBy: null,
        reason: null,
        updatedAt: at,
      };
      view.put(REGISTRATION_DOCS, submitted);
      return;
    }
    const current = view.get(REGISTRATION_DOCS, event.data.registrationId) as RegistrationView | null;
    if (!current) return;
    switch (event.type) {
      case 'RegistrationApproved':
        view.put(REGISTRATION_DOCS, { ...current, status: 'approved', decidedBy: event.data.approvedBy, reason: event.data.reason ?? null, updatedAt: at });
        return;
      case 'RegistrationRejected':
        view.put(REGISTRATION_DOCS, { ...current, status: 'rejected', decidedBy: event.data.rejectedBy, reason: event.data.reason ?? null, updatedAt: at });
        return;
      case 'RegistrationExpired':
        view.put(REGISTRATION_DOCS, { ...current, status: 'expired', updatedAt: at });
        return;
    }
  },
};

/**
 * The approved claims on a customer, from the registrations view once it has applied everything in
 * the log when asked. Two approvals for one customer and product decided at the same instant can still
 * each miss the other (they append to different streams); closing that gap needs a per-customer channel stream.
 */
export const channelClaimsFromView = (deps: { eventStore: EventStore; progress: Pick<ProjectionProgress, 'waitFor'>; views: ViewReader; waitMs: number }): ChannelClaims => ({
  async approvedClaims(customerKey) {
    const head = await deps.eventStore.headPosition();
    if (head !== null && !(await deps.progress.waitFor([REGISTRATIONS], head, deps.waitMs))) throw new ViewBehind([REGISTRATIONS], head);
    const approved = (await deps.views.all(REGISTRATIONS, REGISTRATION_DOCS, { where: { customerKey, status: 'approved' } })) as RegistrationView[];
    return approved.map(({ id, partnerId, skus, expiresAt }) => ({ registrationId: id, partnerId, skus, expiresAt }));
  },
});
