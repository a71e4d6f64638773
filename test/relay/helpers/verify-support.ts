import type { Channel } from '../../../scripts/contracts/channels.ts';
import {
  fromCredentialsBundle,
  orgKey,
  type OrgConnection,
  type SessionIdScheme
} from '../../../scripts/contracts/org-connection.ts';
import { BundleSession } from '../../../scripts/org/bundle-auth.ts';
import { readBundle } from '../../../scripts/org/credentials-bundle.ts';
import { closedRecordDelivery } from '../../../scripts/relay/backfill-delivery.ts';
import { DeadLetterFile } from '../../../scripts/relay/dead-letters.ts';
import { silentLogger } from '../../../scripts/relay/relay-logger.ts';
import { TethrSink } from '../../../scripts/relay/sinks/tethr-sink.ts';
import { tethrClientFromEnv } from '../../../scripts/relay/tethr-env.ts';
import type { TethrClient } from '../../../scripts/tethr/tethr-client.ts';
import type { RelayEnv } from './relay-env.ts';

// What the verify tests share: delivering chosen conversations the way the relay does (so Tethr
// holds them under whatever sessionId the mapping really produces), and reading back which
// session-id scheme that was. Verify must look sessions up with the same scheme; the tests take
// it from what was delivered instead of assuming it, so they hold whichever scheme the mapping
// uses.

/** What the delivery path needs: the org's connection and REST session (from the bundle), a Tethr client. */
export async function deliveryParts(
  env: RelayEnv
): Promise<{ connection: OrgConnection; rest: BundleSession; client: TethrClient }> {
  const bundle = await readBundle(env.bundlePath);
  return {
    connection: fromCredentialsBundle(bundle),
    rest: new BundleSession(bundle),
    client: tethrClientFromEnv(env.tethrEnv)
  };
}

/** Sends these records through the normal delivery path (fetch, mapping, Tethr sink). */
export async function deliverNow(
  env: RelayEnv,
  channel: Channel,
  recordIds: readonly string[],
  deadLetterPath: string,
  sessionIdScheme?: SessionIdScheme
): Promise<string[]> {
  const { connection, rest, client } = await deliveryParts(env);
  const deadLetters = new DeadLetterFile(deadLetterPath);
  const signal = new AbortController().signal;
  const policy = { baseMs: 10, capMs: 50 };
  const delivery = closedRecordDelivery({
    connection,
    rest,
    sink: new TethrSink({ client, deadLetters, logger: silentLogger, policy, signal }),
    deadLetters,
    logger: silentLogger,
    policy,
    signal,
    ...(sessionIdScheme ? { sessionIdScheme } : {})
  });
  const outcomes = await delivery.deliver(
    channel,
    recordIds.map((recordId) => ({ recordId, eventId: 'test', replayId: '' }))
  );
  await deadLetters.close();
  return outcomes;
}

/** The scheme of a session the delivery path stored in the local Tethr. */
export function schemeOfDelivered(env: RelayEnv, orgId: string, recordId: string): SessionIdScheme {
  if (env.tethr.captures.has(`${orgKey(orgId)}:${recordId}`)) return 'org-and-record';
  if (env.tethr.captures.has(recordId)) return 'record-id';
  throw new Error(`Tethr holds no capture of ${recordId}`);
}
