/** The teams on the sales roster: a target for a team nobody is in is refused (TGT-02). */
export interface SalesTeams {
  /** Whether anyone on the roster is in the team, as of everything in the log when asked. */
  has(team: string): Promise<boolean>;
}
