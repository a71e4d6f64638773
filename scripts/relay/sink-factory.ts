import { loadMessages } from '../shared/messages.ts';
import type { TethrClient } from '../tethr/tethr-client.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { SinkSpec } from './sink-option.ts';
import type { OwnershipFence } from './lease-lost.ts';
import { FencedSink } from './sinks/fenced-sink.ts';
import { NdjsonSink } from './sinks/ndjson-sink.ts';
import type { Sink } from './sinks/sink.ts';
import { TethrSink } from './sinks/tethr-sink.ts';
import { tethrClientFromEnv } from './tethr-env.ts';

const messages = loadMessages('relay');

/** Refuses sink and mode combinations that cannot work, before anything starts. */
export function checkSink(spec: SinkSpec, options: { mode: 'transcripts' | 'events'; json: boolean }): void {
  if (spec.type === 'ndjson' && spec.path === '-' && options.json)
    throw messages.createError('error.SinkConflictsWithJson');
  if (spec.type === 'tethr' && options.mode === 'events')
    throw messages.createError('error.EventsModeNeedsNdjson');
}

export function createSink(
  spec: SinkSpec,
  options: {
    mode: 'transcripts' | 'events';
    deadLetters: DeadLetterStore;
    logger: RelayLogger;
    /** aborting it stops the sink's retries (the relay aborts it when it starts to drain) */
    signal: AbortSignal;
    json: boolean;
    /** a shared client (relay serve: one per Tethr instance); default: from TETHR_API_* */
    tethr?: TethrClient;
    /** without a client: the org's own Tethr instance, in place of TETHR_API_URL */
    tethrUrl?: string;
    /** concurrent Tethr posts */
    concurrency?: number;
    policy?: BackoffPolicy;
    /** relay serve: the org's lease; every write (and Tethr attempt) checks it first */
    fence?: OwnershipFence;
  }
): Sink {
  checkSink(spec, options);
  const sink: Sink =
    spec.type === 'ndjson'
      ? new NdjsonSink(spec.path)
      : new TethrSink({
          client:
            options.tethr ??
            tethrClientFromEnv(process.env, options.tethrUrl ? { baseUrl: options.tethrUrl } : {}),
          deadLetters: options.deadLetters,
          logger: options.logger,
          signal: options.signal,
          ...(options.concurrency ? { maxConcurrent: options.concurrency } : {}),
          ...(options.policy ? { policy: options.policy } : {}),
          ...(options.fence ? { fence: options.fence } : {})
        });
  return options.fence ? new FencedSink(sink, options.fence) : sink;
}
