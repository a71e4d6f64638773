import { SfError } from '@salesforce/core/sfError';
import type { DeadLetterFile } from './dead-letters.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { SinkSpec } from './sink-option.ts';
import { NdjsonSink } from './sinks/ndjson-sink.ts';
import type { Sink } from './sinks/sink.ts';
import { TethrSink } from './sinks/tethr-sink.ts';
import { tethrClientFromEnv } from './tethr-env.ts';

export function createSink(
  spec: SinkSpec,
  options: {
    mode: 'transcripts' | 'events';
    deadLetters: DeadLetterFile;
    logger: RelayLogger;
    signal: AbortSignal;
    json: boolean;
  }
): Sink {
  if (spec.type === 'ndjson') {
    if (spec.path === '-' && options.json) {
      throw new SfError('--sink ndjson:- and --json both write to stdout.', 'SinkConflictsWithJson', [
        'Write the sink to a file (--sink ndjson:./out.ndjson) or leave out --json.'
      ]);
    }
    return new NdjsonSink(spec.path);
  }
  if (options.mode === 'events') {
    throw new SfError(
      "--mode events forwards raw events, which Tethr's capture API does not take.",
      'EventsModeNeedsNdjson',
      ['Use --sink ndjson:<path> with --mode events, or --mode transcripts with --sink tethr.']
    );
  }
  return new TethrSink({
    client: tethrClientFromEnv(),
    deadLetters: options.deadLetters,
    logger: options.logger,
    signal: options.signal
  });
}
