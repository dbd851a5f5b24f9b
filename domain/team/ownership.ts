import type { DecisionContext } from '../shared/decider.js';

/**
 * Who may act on a seller's records (article 36: documented duties and permissions): the seller
 * who owns them, the seller's manager, or an admin. Each aggregate states this as a rule of its own.
 */

/** The roles the sales roster holds and ownership binds; the other roles answer to their own rules. */
export const SALES_ROLES: readonly string[] = ['sales_rep', 'sales_manager'];

/** Everyone the roster holds: the sales roles, and the service desk's agents, to whom complaints are assigned. */
export const ROSTER_ROLES: readonly string[] = [...SALES_ROLES, 'support_agent'];

/** What the roster says of a record's owner, as a decision needs it. */
export type RosterEntry = { readonly actorId: string; readonly role: string; readonly managerId?: string; readonly active: boolean };

/** The owner's roster entry, for the commands that work an owned record; undefined when the owner is on no roster. */
export type OwnerFacts = { readonly owner: RosterEntry | undefined };

/** The owner themselves, the manager the roster names for them, or an admin. */
export const actsForOwner = (actor: DecisionContext['actor'], ownerId: string, owner: RosterEntry | undefined): boolean =>
  actor.role === 'admin' || actor.id === ownerId || (actor.role === 'sales_manager' && owner?.managerId === actor.id);

/**
 * Whose records a seller's views show: a rep's own, a manager's and their team's; undefined for
 * the roles that see every seller's (analysts, finance, compliance, auditors, admins).
 */
export const ownersInView = (actor: DecisionContext['actor'], teamMembers: readonly string[]): readonly string[] | undefined => {
  if (actor.role === 'sales_rep') return [actor.id];
  if (actor.role === 'sales_manager') return [actor.id, ...teamMembers.filter((member) => member !== actor.id)];
  return undefined;
};
