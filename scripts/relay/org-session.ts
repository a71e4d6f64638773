import type { OrgConnection } from '../contracts/org-connection.ts';
import type { TethrAppCredential } from '../org/app-credential.ts';
import { openIntegrationSession } from '../org/integration-session.ts';
import type { RelaySession } from './relay-core.ts';

/**
 * REST and Pub/Sub access for one org, as its integration user: the org's own consumer from its
 * connection (local and legacy apps, v1 bundles), or Tethr's app credential for the packaged app.
 * `relay serve` reads that credential once at start and hands it to every org (`appCredential`);
 * without it, the session reads TETHR_SF_* itself.
 */
export function openRelaySession(
  connection: OrgConnection,
  options: { appCredential?: TethrAppCredential | undefined } = {}
): RelaySession {
  return openIntegrationSession(
    connection,
    'appCredential' in options ? { appCredential: options.appCredential } : {}
  );
}
