import type { Permission } from './api';

export type PageId = 'pipeline' | 'kpis' | 'compliance' | 'customers' | 'streams';

/** Each page, where it lives, its keyboard shortcut (g then the letter) and the permissions any one of which opens it. */
export const PAGES: readonly { id: PageId; path: string; shortcut: string; needsAnyOf: readonly Permission[] }[] = [
  { id: 'pipeline', path: '/pipeline', shortcut: 'p', needsAnyOf: ['readViews'] },
  { id: 'kpis', path: '/kpis', shortcut: 'k', needsAnyOf: ['readKpis', 'readViews', 'readFindings', 'readComplaints'] },
  { id: 'compliance', path: '/compliance', shortcut: 'c', needsAnyOf: ['readFindings'] },
  { id: 'customers', path: '/customers', shortcut: 'h', needsAnyOf: ['audit'] },
  { id: 'streams', path: '/streams', shortcut: 's', needsAnyOf: ['audit'] },
];

/** The pages a role may open, read off what GET /me says it may do. */
export const pagesFor = (permissions: readonly Permission[]) => PAGES.filter((page) => page.needsAnyOf.some((needed) => permissions.includes(needed)));

/** The finding lifecycle actions, each with the permission the API's route gate asks for. */
export const FINDING_ACTIONS = [
  { action: 'acknowledge', needs: 'answerFindings' },
  { action: 'remediate', needs: 'answerFindings' },
  { action: 'waive', needs: 'waiveFindings' },
  { action: 'close', needs: 'closeFindings' },
] as const satisfies readonly { action: string; needs: Permission }[];
export type FindingAction = (typeof FINDING_ACTIONS)[number]['action'];

export const findingActionsFor = (permissions: readonly Permission[]) => FINDING_ACTIONS.filter(({ needs }) => permissions.includes(needs)).map(({ action }) => action);
