import type { SessionIdScheme } from '../contracts/org-connection.ts';

/** Facts about the source org that every payload carries in its metadata. */
export interface MappingContext {
  orgId: string;
  /**
   * How the Tethr sessionId is formed (tethrSessionId): org and record id by default, so that a
   * full sandbox (which copies production's record ids) never overwrites production's sessions;
   * `record-id` for orgs Tethr already holds under bare record ids.
   */
  sessionIdScheme?: SessionIdScheme;
}
