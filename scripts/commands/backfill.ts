import { Flags, Progress } from '@salesforce/sf-plugins-core';
import { CHANNEL_REGISTRY, type Channel } from '../contracts/channels.ts';
import { defaultBackfillDeadLetterPath, defaultCursorPath } from '../relay/backfill-cursor.ts';
import { runBackfill, type BackfillSummary } from '../relay/backfill-runner.ts';
import { DeadLetterFile, type DeadLetterStore } from '../relay/dead-letters.ts';
import { defaultDeadLetterPath } from '../relay/default-paths.ts';
import { jsonLogger } from '../relay/relay-logger.ts';
import { createSink } from '../relay/sink-factory.ts';
import { parseSinkOption } from '../relay/sink-option.ts';
import { parseTimeWindow } from '../shared/iso-time.ts';
import { loadMessages } from '../shared/messages.ts';
import {
  openServiceOrg,
  orgSourceFlags,
  resolveSessionIdScheme,
  serviceOrgSession,
  sessionIdSchemeFlag,
  type ServiceOrg
} from './service-org.ts';
import { channelsFlag, openConnection, parseChannels, progressBarOptions } from './window-flags.ts';
import { sinkFlag } from './delivery-flags.ts';
import { takeOverStopSignals } from './stop-signals.ts';
import { AGE_VARS, APP_CREDENTIAL_VARS, envSection, TETHR_API_VARS } from './env-vars.ts';
import { inGroup } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('backfill');

/** What became of one channel in this run (the outcomes are explained in result.* of messages/backfill.md). */
export interface BackfillChannelResult {
  outcome: 'delivered' | 'already-done' | 'skipped' | 'interrupted' | 'not-started';
  /** why a skipped channel was skipped */
  reason?: string;
  delivered: number;
  deadLettered: number;
  /** the cursor: the last record sent, null before the first */
  after: string | null;
  done: boolean;
}

export interface BackfillResult {
  since: string;
  until: string;
  sink: string;
  /** how Tethr session ids were formed (the relay's --session-id for the org) */
  sessionIdScheme: 'org-and-record' | 'record-id';
  cursor: string;
  /** a file, or the relay service's relay_dead_letters for --org-id */
  deadLetterFile: string;
  /** an earlier run of this window had saved progress */
  resumed: boolean;
  interrupted: boolean;
  channels: Partial<Record<Channel, BackfillChannelResult>>;
  salesforceRequests: number;
  salesforceApiCalls: number;
}

export default class Backfill extends TethrCommand<BackfillResult> {
  public static override readonly summary =
    'Send the conversations closed in a time window to Tethr (the batch path).';
  public static override readonly description =
    "Finds Cases closed (ClosedDate), Messaging sessions ended (EndTime) and chat transcripts completed (EndTime) in [--since, --until) and sends each through the same fetch and sink code as `relay`. Times are ISO 8601 with Z or an offset; a date alone means midnight UTC. Resumable: rerun the same command to continue an interrupted window, or to see that it is done. Without --until the window ends when it is first run, and that end is kept for reruns. Every window has its own progress file (--cursor), so later backfills of the same org, such as sending a gap the relay reported, start fresh. --session-id must be the one the org's relay uses; for an org of the relay service, --org-id reads its connection, session-id scheme and Tethr instance from the database and writes its dead letters there.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --connection ./tethr-00D5g000004abcD.connection.json --since 2026-11-01T00:00:00Z',
    '<%= config.bin %> <%= command.id %> --connection ./acme.connection.json --since 2026-11-01 --until 2026-11-08 --channels Case --sink ndjson:./cases.ndjson',
    '<%= config.bin %> <%= command.id %> --credentials ./legacy-bundle.json --since 2026-11-01T00:00:00Z --session-id record-id',
    '<%= config.bin %> <%= command.id %> --org-id 00D5g000004abcD --since 2026-11-20T08:15:00Z'
  ];
  public static override readonly envVariablesSection = envSection(
    ...TETHR_API_VARS,
    ...APP_CREDENTIAL_VARS,
    ...AGE_VARS,
    'TETHR_DATABASE_URL'
  );

  public static override readonly flags = {
    ...orgSourceFlags,
    since: Flags.string({
      summary: 'Start of the window, inclusive: ISO 8601 with Z or an offset, or a date (midnight UTC).',
      required: true,
      helpGroup: 'WINDOW'
    }),
    until: Flags.string({
      summary: 'End of the window, exclusive (same format). Default: when this window was first run.',
      helpGroup: 'WINDOW'
    }),
    channels: inGroup(channelsFlag, 'WINDOW'),
    sink: inGroup(sinkFlag, 'DELIVERY'),
    cursor: Flags.file({
      summary:
        'Progress file that makes the backfill resumable (default .tethr/backfill-<orgId>-<since>[-<until>].cursor.json).',
      helpGroup: 'DELIVERY'
    }),
    'dead-letter': Flags.file({
      summary:
        "Dead-letter file (default .tethr/backfill-<orgId>.dead-letters.ndjson, or next to an explicit --cursor; for --org-id the org's dead letters in the database).",
      helpGroup: 'DELIVERY'
    }),
    'session-id': inGroup(sessionIdSchemeFlag, 'DELIVERY'),
    'batch-size': Flags.integer({
      summary: 'Conversations read per batch.',
      min: 1,
      max: 200,
      default: 50,
      helpGroup: 'DELIVERY'
    })
  };

  public async run(): Promise<BackfillResult> {
    const { flags } = await this.parse(Backfill);
    const window = parseTimeWindow({
      since: { name: '--since', value: flags.since },
      ...(flags.until !== undefined ? { until: { name: '--until', value: flags.until } } : {})
    });
    const serviceOrg: ServiceOrg | undefined = flags['org-id']
      ? await openServiceOrg(flags['database-url'], flags['org-id'], 'tethr-sf backfill')
      : undefined;
    try {
      return await this.backfill(flags, window, serviceOrg);
    } finally {
      await serviceOrg?.close();
    }
  }

  private async backfill(
    flags: {
      connection?: string;
      credentials?: string;
      channels?: string;
      sink: string;
      cursor?: string;
      'dead-letter'?: string;
      'batch-size': number;
      'session-id'?: 'org-and-record' | 'record-id';
    },
    window: { since: string; until?: string },
    serviceOrg: ServiceOrg | undefined
  ): Promise<BackfillResult> {
    const scheme = resolveSessionIdScheme(flags['session-id'], serviceOrg);
    const { connection, session, fileArgs } = serviceOrg
      ? {
          connection: serviceOrg.connection,
          session: serviceOrgSession(serviceOrg),
          fileArgs: `--org-id ${serviceOrg.orgId}`
        }
      : await openConnection(flags);
    const channels = parseChannels(flags.channels, connection.channels);
    const cursor =
      flags.cursor ??
      defaultCursorPath({ orgId: connection.orgId, since: window.since, until: window.until });
    const deadLetterPath =
      flags['dead-letter'] ??
      (flags.cursor ? defaultDeadLetterPath(flags.cursor) : defaultBackfillDeadLetterPath(connection.orgId));
    const logger = jsonLogger({ level: 'warn' });
    const stop = new AbortController();
    const deadLetters: DeadLetterStore =
      serviceOrg && !flags['dead-letter']
        ? serviceOrg.deadLetters
        : new DeadLetterFile(deadLetterPath, { orgId: connection.orgId });
    const spec = parseSinkOption(flags.sink);
    const tethrUrl = serviceOrg?.options.tethrUrl;
    const sink = createSink(spec, {
      mode: 'transcripts',
      deadLetters,
      logger,
      signal: stop.signal,
      json: this.jsonEnabled(),
      ...(tethrUrl ? { tethrUrl } : {})
    });
    const restoreSignals = takeOverStopSignals(() => stop.abort());
    // One bar per channel: sf's Progress cannot be restarted once finished, and its default
    // wording ("Components") is deploy's.
    let bar: { channel: Channel; progress: Progress } | undefined;
    try {
      const summary = await runBackfill({
        connection,
        session,
        channels,
        since: window.since,
        ...(window.until !== undefined ? { until: window.until } : {}),
        sink,
        deadLetters,
        cursorPath: cursor,
        sessionIdScheme: scheme,
        logger,
        signal: stop.signal,
        batchSize: flags['batch-size'],
        onProgress: ({ channel, total, done }) => {
          if (bar?.channel !== channel) {
            bar?.progress.finish();
            bar = { channel, progress: new Progress(!this.jsonEnabled()) };
            bar.progress.start(total, {}, progressBarOptions(`Backfill ${CHANNEL_REGISTRY[channel].label}`));
          }
          bar.progress.update(done);
        }
      });
      bar?.progress.finish();
      bar = undefined;
      this.report(summary, {
        cursor,
        deadLetterPath: deadLetters.location,
        sink: sink.name,
        fileArgs,
        channels
      });
      return {
        since: summary.since,
        until: summary.until,
        sink: sink.name,
        sessionIdScheme: scheme,
        cursor,
        deadLetterFile: deadLetters.location,
        resumed: summary.resumed,
        interrupted: summary.interrupted,
        channels: summary.channels,
        salesforceRequests: summary.apiUsage.requests,
        salesforceApiCalls: summary.apiUsage.countedCalls
      };
    } finally {
      bar?.progress.stop();
      restoreSignals();
    }
  }

  private report(
    summary: BackfillSummary,
    context: {
      cursor: string;
      deadLetterPath: string;
      sink: string;
      fileArgs: string;
      channels: Channel[];
    }
  ): void {
    if (this.jsonEnabled()) return;
    this.log(messages.getMessage('info.window', [summary.since, summary.until, context.sink]));
    if (summary.resumed) this.log(messages.getMessage('info.resumed', [context.cursor]));
    const rows = context.channels.map((channel) => {
      const result = summary.channels[channel]!;
      return {
        channel: CHANNEL_REGISTRY[channel].label,
        delivered: result.delivered,
        deadLettered: result.deadLettered,
        result: messages.getMessage(`result.${result.outcome}`, [result.reason ?? ''])
      };
    });
    this.table({
      data: rows,
      columns: [
        { key: 'channel', name: messages.getMessage('column.channel') },
        { key: 'delivered', name: messages.getMessage('column.delivered'), horizontalAlignment: 'right' },
        {
          key: 'deadLettered',
          name: messages.getMessage('column.deadLettered'),
          horizontalAlignment: 'right'
        },
        { key: 'result', name: messages.getMessage('column.result') }
      ]
    });
    const deadLettered = rows.reduce((sum, row) => sum + row.deadLettered, 0);
    if (deadLettered > 0)
      this.log(messages.getMessage('info.deadLetters', [deadLettered, context.deadLetterPath]));
    if (summary.interrupted) {
      this.warn(messages.warning('warning.Interrupted', [], [context.cursor]));
    } else if (
      rows.length > 0 &&
      context.channels.every((c) => summary.channels[c]!.outcome === 'already-done')
    ) {
      this.log(messages.getMessage('info.alreadyDone', [`${context.fileArgs} `, summary.until]));
    }
  }
}
