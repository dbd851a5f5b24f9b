import type { FastifyRequest } from 'fastify';
import { isSealed } from '../application/personalData.js';
import type { Role } from '../application/roles.js';
import type { ApiServices } from './services.js';

/** Roles whose work needs a contact's or a complaint reporter's name, phone and e-mail; others see them withheld. */
export const PERSONAL_DATA_READERS: readonly Role[] = ['sales_rep', 'sales_manager', 'finance', 'compliance_officer', 'admin', 'support_agent'];
export const WITHHELD = '[withheld]';

/**
 * Opens the sealed personal fields of a record for a caller whose role may read them,
 * and logs who read whose data and why (`X-Access-Reason`). Other roles get the record
 * with those fields withheld.
 */
export const revealPersonalData = async <T extends Record<string, unknown>>(
  services: ApiServices,
  request: FastifyRequest,
  subject: string,
  record: T,
): Promise<T> => {
  const sealedFields = Object.entries(record).filter(([, value]) => isSealed(value));
  if (sealedFields.length === 0) return record;
  const allowed = PERSONAL_DATA_READERS.includes(request.actor.role as Role);
  const opened: Record<string, unknown> = { ...record };
  for (const [field, value] of sealedFields) opened[field] = allowed ? await services.personalData.reveal(subject, value as string) : WITHHELD;
  if (allowed) {
    const reason = request.headers['x-access-reason'];
    request.log.info(
      {
        audit: 'personal-data-read',
        actor: request.actor,
        subject,
        fields: sealedFields.map(([field]) => field),
        reason: typeof reason === 'string' && reason.trim() ? reason.slice(0, 500) : 'not stated',
        route: request.routeOptions.url,
      },
      'personal data read',
    );
  }
  return opened as T;
};
