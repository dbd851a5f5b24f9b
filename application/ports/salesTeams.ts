/** The teams on the sales roster: a target for a team no seller is in is refused (TGT-02). */
export interface SalesTeams {
  /** Whether a sales rep or manager on the roster is in the team, as of everything in the log when asked. */
  has(team: string): Promise<boolean>;
}
