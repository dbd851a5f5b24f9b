import type { Document } from '../../application/ports/readStore.js';
import type { RepEvent } from '../../domain/team/rep.js';
import type { Projection } from '../projection.js';

export const REPS = 'reps';
export const REP_DOCS = 'reps';

export type RepCertificationView = { sku: string; course: string; trainingId: string; passedAt: string; expiresAt: string };

/** One document per rep, keyed by the actor id their API key carries. */
export type RepView = Document & {
  name: string;
  team: string;
  role: string;
  managerId: string | null;
  active: boolean;
  offboardedAt: string | null;
  offboardReason: string | null;
  /** Whether each is valid depends on when it is read, so the view keeps the dates and the API judges them. */
  certifications: RepCertificationView[];
  hiredAt: string;
  updatedAt: string;
};

/** The sales team: each rep's role, team, manager, whether still active, and the certifications their training granted. */
export const repsProjection: Projection<RepEvent['type']> = {
  name: REPS,
  version: 1,
  collections: [{ name: REP_DOCS, indexes: { team: 'string', role: 'string', managerId: 'string', active: 'boolean' } }],
  handles: ['RepHired', 'RepRoleChanged', 'RepTeamChanged', 'TrainingRecorded', 'RepOffboarded', 'RepReinstated'],
  documentsFor: (event) => [{ collection: REP_DOCS, id: event.data.actorId }],
  apply(event, view) {
    const at = new Date(String(event.metadata.occurredAt)).toISOString();
    if (event.type === 'RepHired') {
      const { actorId, name, team, role, managerId } = event.data;
      const hired: RepView = {
        id: actorId,
        name,
        team,
        role,
        managerId: managerId ?? null,
        active: true,
        offboardedAt: null,
        offboardReason: null,
        certifications: [],
        hiredAt: at,
        updatedAt: at,
      };
      view.put(REP_DOCS, hired);
      return;
    }
    const rep = view.get(REP_DOCS, event.data.actorId) as RepView | null;
    if (!rep) return;
    switch (event.type) {
      case 'RepRoleChanged':
        view.put(REP_DOCS, { ...rep, role: event.data.to, updatedAt: at });
        return;
      case 'RepTeamChanged':
        view.put(REP_DOCS, { ...rep, team: event.data.team, managerId: event.data.managerId ?? null, updatedAt: at });
        return;
      case 'TrainingRecorded': {
        const { trainingId, course, passedAt, certifies, expiresAt } = event.data;
        const granted = certifies.map((sku) => ({ sku, course, trainingId, passedAt, expiresAt }));
        view.put(REP_DOCS, { ...rep, certifications: [...rep.certifications, ...granted], updatedAt: at });
        return;
      }
      case 'RepOffboarded':
        view.put(REP_DOCS, { ...rep, active: false, offboardedAt: at, offboardReason: event.data.reason, updatedAt: at });
        return;
      case 'RepReinstated':
        view.put(REP_DOCS, { ...rep, active: true, offboardedAt: null, offboardReason: null, updatedAt: at });
        return;
    }
  },
};
