export const ROLES = ['sales_rep', 'sales_manager', 'finance', 'compliance_officer', 'auditor', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type ApiKeys = Record<string, { actorId: string; role: Role }>;

/** Who may do what (article 36: documented duties and permissions), by kind of route. */
export const PERMISSIONS = {
  /** Everyday selling: customers, interactions, opportunities. */
  sell: ['sales_rep', 'sales_manager', 'admin'],
  /** Reading the views built for analysis and management. */
  readViews: ['sales_rep', 'sales_manager', 'finance', 'compliance_officer', 'auditor', 'analyst', 'admin'],
  /** Reading raw streams and verifying them. */
  audit: ['auditor', 'compliance_officer', 'admin'],
  /** Running the system itself: rebuilding views. */
  operate: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
