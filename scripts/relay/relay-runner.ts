import { FileCheckpointStore } from './checkpoint-store.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import { PubSubChannelPool } from './pubsub-channels.ts';
import type { PubSubEndpoint } from './pubsub-endpoint.ts';
import { OrgRelay, type OrgRelayOptions, type RelaySummary } from './relay-core.ts';

// `tethr-sf relay`: one org, one process, a checkpoint file. The pipeline is the same OrgRelay the
// multi-org service runs (relay-core.ts); this only supplies the single-org pieces: a file
// checkpoint, a one-channel pool and no lease.

export type {
  InvalidReplayPolicy,
  RelayConnection,
  RelayMode,
  RelaySession,
  RelaySummary
} from './relay-core.ts';

export interface RelayOptions extends Omit<
  OrgRelayOptions,
  'checkpoints' | 'pubsub' | 'fence' | 'deadLetters'
> {
  deadLetters: DeadLetterStore;
  checkpointPath: string;
  endpoint: PubSubEndpoint;
}

export async function runRelay(options: RelayOptions): Promise<RelaySummary> {
  const { checkpointPath, endpoint, ...rest } = options;
  const pubsub = new PubSubChannelPool(endpoint);
  try {
    return await new OrgRelay({
      ...rest,
      checkpoints: new FileCheckpointStore(checkpointPath),
      pubsub
    }).run();
  } finally {
    await options.deadLetters.close().catch(() => undefined);
    pubsub.close();
  }
}
