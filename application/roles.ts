export const ROLES = ['sales_rep', 'sales_manager', 'finance', 'compliance_officer', 'auditor', 'analyst', 'admin', 'support_agent'] as const;
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
  /** Approving or rejecting a quote's discount: every role the authority table may name; the quote's rules judge how far each reaches. */
  decideDiscounts: ['sales_rep', 'sales_manager', 'finance', 'admin'],
  /** Placing and working orders: sellers, and finance, who alone may override a credit or risk refusal. */
  order: ['sales_rep', 'sales_manager', 'finance', 'admin'],
  /** Publishing and pricing products, launching promotions: managers and finance, not the reps who sell against them. */
  manageCatalog: ['sales_manager', 'finance', 'admin'],
  /** A customer's account terms (credit limit, risk flag): sellers may ask, the customer's rules say who decides. */
  account: ['sales_rep', 'sales_manager', 'finance', 'admin'],
  /** Publishing a revision of the company policy (POL-01). */
  publishPolicy: ['compliance_officer', 'admin'],
  /** Hiring, moving, changing the role of and offboarding reps: those who run the teams. */
  manageTeam: ['sales_manager', 'admin'],
  /** Recording passed training, which certifies a rep on products: team managers and the compliance office. */
  recordTraining: ['sales_manager', 'compliance_officer', 'admin'],
  /** Acknowledging or remediating a finding: the finding's rule FND-12 narrows a rep or a manager to their own conduct or team's. */
  answerFindings: ['sales_rep', 'sales_manager', 'compliance_officer', 'admin'],
  /** Waiving a finding (article 37): the compliance office alone; the finding's rule FND-09 keeps out its seller and their manager. */
  waiveFindings: ['compliance_officer'],
  /** Closing a settled finding. */
  closeFindings: ['compliance_officer', 'admin'],
  /** The findings trail and the periodic inspection report (article 38): those who supervise, inspect or analyse conduct, not reps. */
  readFindings: ['sales_manager', 'compliance_officer', 'auditor', 'analyst', 'admin'],
  /** Filing and working complaints (articles 7, 18, 29): the service desk and the sales force; the complaint's rule CPL-15 keeps the seller it is about from settling it. */
  complaints: ['sales_rep', 'sales_manager', 'support_agent', 'admin'],
  /** Recording the customer's rating of how a complaint was handled: the service desk, never the sellers it rates. */
  rateComplaints: ['support_agent', 'admin'],
  /** The complaints and their service levels: everyone who works, supervises or analyses after-sales service. */
  readComplaints: ['sales_rep', 'sales_manager', 'support_agent', 'finance', 'compliance_officer', 'auditor', 'analyst', 'admin'],
  /** The customer 360: every reader of views, and the service desk, which answers the customer. */
  readCustomers: ['sales_rep', 'sales_manager', 'finance', 'compliance_officer', 'auditor', 'analyst', 'admin', 'support_agent'],
  /** Setting and revising targets (articles 15, 20): those who run the teams; TGT-05 narrows a manager to their own reps and team. */
  setTargets: ['sales_manager', 'admin'],
  /** Recording payments, refunds and exchange rates: finance's books. */
  recordCash: ['finance', 'admin'],
  /** Publishing incentive plans and closing incentive periods (article 22): finance, not the sellers the plans pay. */
  runIncentives: ['finance', 'admin'],
  /** Approving a statement: the rep's manager, then finance; INC-33 and INC-34 say which step is whose. */
  approveStatements: ['sales_manager', 'finance', 'admin'],
  /** Disputing a line of one's own statement (INC-40). */
  disputeStatements: ['sales_rep', 'sales_manager'],
  /** Reading and recomputing statements: a rep their own, a manager their team's, finance, auditors and admins all; analysts see only aggregates. */
  readStatements: ['sales_rep', 'sales_manager', 'finance', 'auditor', 'admin'],
  /** Recomputing a statement under another plan revision than its own (a what-if). */
  whatIf: ['finance', 'auditor', 'admin'],
  /** Launching campaigns (articles 30-33): those who run the teams. */
  launchCampaigns: ['sales_manager', 'admin'],
  /** Recording what a campaign cost: its managers and finance, who pays it. */
  recordCampaignCosts: ['sales_manager', 'finance', 'admin'],
  /** Onboarding channel partners (article 35). */
  onboardPartners: ['sales_manager', 'admin'],
  /** Deciding a deal registration: a sales manager; the registration's rule REG-08 keeps out whoever submitted it. */
  decideRegistrations: ['sales_manager', 'admin'],
  /** The KPIs (articles 5, 19, 20-24): analysts, managers (their team's), compliance, auditors and admins; a rep their own. */
  readKpis: ['sales_rep', 'sales_manager', 'compliance_officer', 'auditor', 'analyst', 'admin'],
} as const satisfies Record<string, readonly Role[]>;
