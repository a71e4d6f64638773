import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { SfError } from '@salesforce/core/sfError';
import { BundleSession } from '../org/bundle-auth.ts';
import { CHANNELS, readBundle, type Channel } from '../org/credentials-bundle.ts';
import { runBackfill, type BackfillSummary } from '../relay/backfill-runner.ts';
import { DeadLetterFile } from '../relay/dead-letters.ts';
import { defaultCursorPath, defaultDeadLetterPath } from '../relay/default-paths.ts';
import { jsonLogger } from '../relay/relay-logger.ts';
import { createSink } from '../relay/sink-factory.ts';
import { parseSinkOption } from '../relay/sink-option.ts';
import { credentialsFlag, sinkFlag, takeOverStopSignals } from './delivery-flags.ts';

export interface BackfillResult {
  since: string;
  until: string;
  sink: string;
  cursor: string;
  deadLetterFile: string;
  interrupted: boolean;
  channels: BackfillSummary['channels'];
  salesforceRequests: number;
  salesforceApiCalls: number;
}

export default class Backfill extends SfCommand<BackfillResult> {
  public static override readonly summary =
    'Send the conversations closed in a time window to Tethr (the batch path).';
  public static override readonly description =
    'Finds Cases closed (ClosedDate), Messaging sessions ended (EndTime) and chat transcripts completed (EndTime) in [--since, --until) and sends each through the same fetch and sink code as `relay`. Resumable: progress is kept in --cursor; rerun the same command to continue. Use it for history, and for gaps the relay reports (replay id older than the 72-hour retention).';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --credentials ./bundle.json --since 2026-11-01T00:00:00Z',
    '<%= config.bin %> <%= command.id %> --credentials ./bundle.json --since 2026-11-01 --until 2026-11-08 --channels Case --sink ndjson:./cases.ndjson'
  ];

  public static override readonly flags = {
    credentials: credentialsFlag,
    since: Flags.string({ summary: 'Start of the window (ISO 8601, inclusive).', required: true }),
    until: Flags.string({ summary: 'End of the window (ISO 8601, exclusive; default now).' }),
    channels: Flags.string({
      summary: `Comma-separated channels (${CHANNELS.join(', ')}); default: the bundle's channels.`
    }),
    sink: sinkFlag,
    cursor: Flags.file({
      summary:
        'Progress file that makes the backfill resumable (default .tethr/backfill-<orgId>.cursor.json).'
    }),
    'dead-letter': Flags.file({ summary: 'Dead-letter file (default: next to the cursor).' }),
    'batch-size': Flags.integer({ summary: 'Conversations read per batch.', min: 1, max: 200, default: 50 })
  };

  public async run(): Promise<BackfillResult> {
    const { flags } = await this.parse(Backfill);
    const bundle = await readBundle(flags.credentials);
    const since = isoFlag('--since', flags.since);
    const until = isoFlag('--until', flags.until ?? new Date().toISOString());
    if (since >= until)
      throw new SfError('--since must be before --until.', 'InvalidWindow', ['Swap the two dates.']);
    const channels = parseChannels(flags.channels, bundle.channels);
    const cursor = flags.cursor ?? defaultCursorPath(bundle.orgId);
    const deadLetterPath = flags['dead-letter'] ?? defaultDeadLetterPath(cursor);
    const logger = jsonLogger({ level: 'warn' });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    const restoreSignals = takeOverStopSignals(onSignal);
    const deadLetters = new DeadLetterFile(deadLetterPath);
    const sink = createSink(parseSinkOption(flags.sink), {
      mode: 'transcripts',
      deadLetters,
      logger,
      signal: stop.signal,
      json: this.jsonEnabled()
    });
    let current: Channel | undefined;
    try {
      const summary = await runBackfill({
        bundle,
        session: new BundleSession(bundle),
        channels,
        since,
        until,
        sink,
        deadLetters,
        cursorPath: cursor,
        logger,
        signal: stop.signal,
        batchSize: flags['batch-size'],
        onProgress: ({ channel, total, done }) => {
          if (channel !== current) {
            if (current) this.progress.finish();
            current = channel;
            this.progress.start(total, {}, { title: `Backfill ${channel}` });
          }
          this.progress.update(done);
        }
      });
      if (current) this.progress.finish();
      if (summary.interrupted) this.warn(`Interrupted. Rerun the same command to resume from ${cursor}.`);
      return {
        since,
        until,
        sink: sink.name,
        cursor,
        deadLetterFile: deadLetterPath,
        interrupted: summary.interrupted,
        channels: summary.channels,
        salesforceRequests: summary.apiUsage.requests,
        salesforceApiCalls: summary.apiUsage.countedCalls
      };
    } finally {
      this.progress.stop();
      restoreSignals();
    }
  }
}

function isoFlag(name: string, value: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new SfError(`${name} "${value}" is not an ISO 8601 date or date-time.`, 'InvalidDate', [
      'Use e.g. 2026-11-01 or 2026-11-01T00:00:00Z.'
    ]);
  }
  return new Date(ms).toISOString();
}

function parseChannels(value: string | undefined, enabled: Channel[]): Channel[] {
  if (!value) return enabled;
  const channels = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const channel of channels) {
    if (!CHANNELS.includes(channel as Channel)) {
      throw new SfError(`--channels: unknown channel "${channel}".`, 'InvalidChannel', [
        `Use any of ${CHANNELS.join(', ')}.`
      ]);
    }
  }
  return channels as Channel[];
}
