import { join } from 'node:path';
import { Flags, Progress } from '@salesforce/sf-plugins-core';
import { CHANNEL_REGISTRY, type Channel } from '../contracts/channels.ts';
import type { OrgConnection, SessionIdScheme } from '../contracts/org-connection.ts';
import type { IntegrationSession } from '../org/integration-session.ts';
import { DEFAULT_BACKOFF } from '../relay/backoff.ts';
import { defaultBackfillDeadLetterPath } from '../relay/backfill-cursor.ts';
import { defaultCheckpointPath, defaultDeadLetterPath } from '../relay/default-paths.ts';
import { jsonLogger } from '../relay/relay-logger.ts';
import { TethrSink } from '../relay/sinks/tethr-sink.ts';
import { tethrClientFromEnv, TETHR_ENV } from '../relay/tethr-env.ts';
import type { TethrClient } from '../tethr/tethr-client.ts';
import { DeadLetterFile, type DeadLetterStore } from '../relay/dead-letters.ts';
import {
  CombinedDeadLetterSource,
  DeadLetterFiles,
  type DeadLetterSource
} from '../relay/verify/dead-letter-source.ts';
import { PgDeadLetterSource } from '../relay/verify/pg-dead-letter-source.ts';
import {
  reconcile,
  type ChannelTally,
  type MissingConversation,
  type ReconcileProgress,
  type ReconcileReport
} from '../relay/verify/reconcile.ts';
import { deliveryResender, type DeliveryResender } from '../relay/verify/resend.ts';
import {
  ResendWouldDuplicate,
  SESSION_ID_SCHEMES,
  SessionIdSchemeDetected,
  SessionIdSchemeMismatch
} from '../relay/verify/session-ids.ts';
import { parseTimeWindow } from '../shared/iso-time.ts';
import { loadMessages } from '../shared/messages.ts';
import { TethrStatusClient } from '../tethr/capture-status.ts';
import { shortDetail } from './short-detail.ts';
import { takeOverStopSignals } from './stop-signals.ts';
import { AGE_VARS, APP_CREDENTIAL_VARS, envSection, TETHR_API_VARS } from './env-vars.ts';
import {
  openServiceOrg,
  orgSourceFlags,
  resolveSessionIdScheme,
  serviceOrgSession,
  sessionIdSchemeFlag,
  type ServiceOrg
} from './service-org.ts';
import { channelsFlag, openConnection, parseChannels, progressBarOptions } from './window-flags.ts';
import { inGroup } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('verify');
const STILL_MISSING_SHOWN = 20;

export interface VerifyChannelCounts {
  closed: number;
  complete: number;
  inProgress: number;
  concluded: number;
  notFound: number;
  unknown: number;
  excluded: number;
  deadLettered: number;
  missing: number;
  skipped?: string;
}

export interface VerifyMissing {
  channel: Channel;
  recordId: string;
  sessionId: string;
  closedAt: string;
  status: 'NotFound' | 'Unknown';
  deadLetter?: { reason: string; at: string };
}

export interface VerifyResult {
  orgId: string;
  since: string;
  until: string;
  sessionIdScheme: SessionIdScheme;
  channels: Partial<Record<Channel, VerifyChannelCounts>>;
  totals: VerifyChannelCounts;
  /** the conversations Tethr did not hold when checked (before --resend) */
  missing: VerifyMissing[];
  resend?: {
    attempted: number;
    recovered: number;
    stillMissing: Array<
      VerifyMissing & {
        /** dead-lettered: the resend failed again; not-in-tethr-yet: accepted, not reported yet; interrupted */
        why: 'dead-lettered' | 'not-in-tethr-yet' | 'interrupted';
        reason?: string;
        detail?: string;
        statusAfterResend?: string;
      }
    >;
    deadLetterFile: string;
  };
  deadLetterSources: Array<{ source: string; found: boolean }>;
  tethrStatusCalls: number;
  salesforceRequests: number;
  interrupted: boolean;
}

export default class Verify extends TethrCommand<VerifyResult> {
  public static override readonly summary =
    'Check that every conversation that closed in Salesforce in a window is in Tethr, and resend the gaps.';
  public static override readonly description =
    "Lists the conversations that closed in [--since, --until) with the same queries as `backfill`, asks Tethr's status API (POST /capture/v2/status, in batches) about each one's sessionId, and prints per channel how many closed, are complete, in progress, not found, excluded and dead-lettered locally. --json adds the ids of the missing ones. --resend sends the missing ones through the normal delivery path (same fetch, mapping, Tethr sink and sessionId), checks them again and says what is still missing and why. --session-id must be the one the org's relay uses. For an org of the relay service, --org-id reads its connection, session-id scheme, Tethr instance and dead letters from the database (--database-url or TETHR_DATABASE_URL). Tethr credentials come from TETHR_API_URL, TETHR_API_CLIENT_ID and TETHR_API_CLIENT_SECRET.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --connection ./acme.connection.json --since 2026-11-24',
    '<%= config.bin %> <%= command.id %> --connection ./acme.connection.json --since 2026-11-24T00:00:00Z --until 2026-12-01T00:00:00Z --channels Case --resend',
    '<%= config.bin %> <%= command.id %> --connection ./acme.connection.json --since 2026-11-30 --json | jq .result.totals.missing',
    '<%= config.bin %> <%= command.id %> --org-id 00D5g000004abcD --since 2026-11-30 --resend'
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
      summary: 'End of the window, exclusive (same format). Default: now.',
      helpGroup: 'WINDOW'
    }),
    channels: inGroup(channelsFlag, 'WINDOW'),
    resend: Flags.boolean({
      summary:
        'Send the missing conversations again through the normal delivery path, then check them again.',
      helpGroup: 'RESEND'
    }),
    'resend-dead-letter': Flags.file({
      summary:
        "Where --resend writes what it cannot deliver (default .tethr/verify-<orgId>.dead-letters.ndjson; for --org-id the org's dead letters in the database).",
      helpGroup: 'RESEND'
    }),
    'dead-letter': Flags.file({
      summary:
        "Dead-letter file(s) to count (repeatable). Default: the relay's, backfill's and verify's default files for the org; for --org-id the org's dead letters in the database.",
      multiple: true,
      helpGroup: 'MATCHING'
    }),
    'batch-size': Flags.integer({
      summary: 'Sessions per Tethr status request.',
      min: 1,
      max: 1000,
      default: 100,
      helpGroup: 'MATCHING'
    }),
    'session-id': inGroup(sessionIdSchemeFlag, 'MATCHING')
  };

  public async run(): Promise<VerifyResult> {
    const { flags } = await this.parse(Verify);
    const window = parseTimeWindow({
      since: { name: '--since', value: flags.since },
      ...(flags.until !== undefined ? { until: { name: '--until', value: flags.until } } : {})
    });
    const until = window.until ?? new Date().toISOString();
    const missingEnv = TETHR_ENV.filter((name) => !process.env[name]?.trim());
    if (missingEnv.length > 0) throw messages.createError('error.TethrEnvMissing', [missingEnv.join(', ')]);
    const org = await openOrg(flags);
    try {
      return await this.verify(flags, org, { since: window.since, until });
    } finally {
      await org.serviceOrg?.close();
    }
  }

  private async verify(
    flags: {
      channels?: string;
      resend: boolean;
      'resend-dead-letter'?: string;
      'dead-letter'?: string[];
      'batch-size': number;
    },
    org: OpenedOrg,
    window: { since: string; until: string }
  ): Promise<VerifyResult> {
    const { connection, session, fileArgs, serviceOrg, scheme } = org;
    const channels = parseChannels(flags.channels, connection.channels);
    // A service org's letters, and what its resend fails on, are in the database; otherwise files.
    const resendStore: DeadLetterStore | undefined = flags.resend
      ? flags['resend-dead-letter'] || !serviceOrg
        ? new DeadLetterFile(flags['resend-dead-letter'] ?? defaultVerifyDeadLetterPath(connection), {
            orgId: connection.orgId
          })
        : serviceOrg.deadLetters
      : undefined;
    const deadLetters = deadLetterSource(flags, connection, serviceOrg, resendStore);
    const client = tethrClientFor(serviceOrg);
    const logger = jsonLogger({ level: 'warn' });
    const stop = new AbortController();
    const restoreSignals = takeOverStopSignals(() => stop.abort());
    const resender: DeliveryResender | undefined = resendStore
      ? deliveryResender({
          connection,
          rest: session,
          logger,
          policy: DEFAULT_BACKOFF,
          signal: stop.signal,
          deadLetters: resendStore,
          sessionIdScheme: scheme,
          makeSink: (letters) => new TethrSink({ client, deadLetters: letters, logger, signal: stop.signal })
        })
      : undefined;
    const bars = new ProgressBars(!this.jsonEnabled());
    let report: ReconcileReport;
    try {
      report = await reconcile({
        connection,
        rest: session,
        window,
        channels,
        statuses: new TethrStatusClient(client),
        deadLetters,
        sessionIdScheme: scheme,
        ...(resender ? { resend: resender } : {}),
        statusBatchSize: flags['batch-size'],
        logger,
        signal: stop.signal,
        onProgress: (progress) => bars.update(progress)
      });
    } catch (error) {
      throw verifyError(error);
    } finally {
      bars.finish();
      await resender?.close();
      await resendStore?.close();
      restoreSignals();
    }
    const result = toResult(report, resendStore?.location);
    if (!this.jsonEnabled()) this.render(result, fileArgs, channels);
    return result;
  }

  private render(result: VerifyResult, fileArgs: string, channels: Channel[]): void {
    this.log(
      messages.getMessage('info.window', [result.since, result.until, result.orgId, result.sessionIdScheme])
    );
    const row = (label: string, t: VerifyChannelCounts) => ({
      channel: label,
      closed: t.closed,
      complete: t.complete,
      inProgress: t.inProgress + t.concluded,
      notFound: t.notFound,
      unknown: t.unknown,
      excluded: t.excluded,
      deadLettered: t.deadLettered,
      missing: t.skipped ? messages.getMessage('skipped', [t.skipped]) : t.missing
    });
    const number = <K extends string>(key: K, name: string) => ({
      key,
      name: messages.getMessage(name),
      horizontalAlignment: 'right' as const
    });
    this.table({
      data: [
        ...channels.map((c) => row(CHANNEL_REGISTRY[c].label, result.channels[c] ?? emptyCounts())),
        row(messages.getMessage('total'), result.totals)
      ],
      columns: [
        { key: 'channel', name: messages.getMessage('column.channel') },
        number('closed', 'column.closed'),
        number('complete', 'column.complete'),
        number('inProgress', 'column.inProgress'),
        number('notFound', 'column.notFound'),
        number('unknown', 'column.unknown'),
        number('excluded', 'column.excluded'),
        number('deadLettered', 'column.deadLettered'),
        number('missing', 'column.missing')
      ]
    });
    const sources = result.deadLetterSources.map((s) =>
      s.found ? s.source : messages.getMessage('info.notFoundFile', [s.source])
    );
    this.log(messages.getMessage('info.deadLetterSources', [sources.join(', ')]));
    if (result.interrupted) this.log(messages.getMessage('info.interrupted'));
    if (result.resend) {
      const { attempted, recovered, stillMissing } = result.resend;
      this.log(messages.getMessage('info.resent', [attempted, recovered, stillMissing.length]));
      if (stillMissing.length > 0) {
        this.log(messages.getMessage('info.stillMissing'));
        this.table({
          data: stillMissing.slice(0, STILL_MISSING_SHOWN).map((m) => ({
            channel: CHANNEL_REGISTRY[m.channel].label,
            record: m.recordId,
            why: whyText(m)
          })),
          columns: [
            { key: 'channel', name: messages.getMessage('column.channel') },
            { key: 'record', name: messages.getMessage('column.record') },
            { key: 'why', name: messages.getMessage('column.why') }
          ]
        });
        if (stillMissing.length > STILL_MISSING_SHOWN)
          this.log(messages.getMessage('info.moreStillMissing', [stillMissing.length - STILL_MISSING_SHOWN]));
      }
    } else if (result.totals.missing > 0) {
      const args = `${fileArgs} --since ${result.since} --until ${result.until} `;
      this.log(messages.getMessage('info.missing', [result.totals.missing, args]));
    } else if (!result.interrupted) {
      this.log(messages.getMessage('info.noneMissing'));
    }
  }
}

interface OpenedOrg {
  connection: OrgConnection;
  session: IntegrationSession;
  /** how to name the org in a follow-up command: --connection <file> or --org-id <id> */
  fileArgs: string;
  scheme: SessionIdScheme;
  serviceOrg?: ServiceOrg;
}

/** The org from its connection file, or from the relay service's tenant row (--org-id). */
async function openOrg(flags: {
  connection?: string;
  credentials?: string;
  'org-id'?: string;
  'database-url'?: string;
  'session-id'?: SessionIdScheme;
}): Promise<OpenedOrg> {
  if (flags['org-id']) {
    const serviceOrg = await openServiceOrg(flags['database-url'], flags['org-id'], 'tethr-sf verify');
    try {
      return {
        connection: serviceOrg.connection,
        session: serviceOrgSession(serviceOrg),
        fileArgs: `--org-id ${serviceOrg.orgId}`,
        scheme: resolveSessionIdScheme(flags['session-id'], serviceOrg),
        serviceOrg
      };
    } catch (error) {
      await serviceOrg.close();
      throw error;
    }
  }
  const opened = await openConnection(flags);
  return { ...opened, scheme: resolveSessionIdScheme(flags['session-id']) };
}

/** Where the dead letters verify counts come from: files, the service's database, or both. */
function deadLetterSource(
  flags: { 'dead-letter'?: string[] },
  connection: OrgConnection,
  serviceOrg: ServiceOrg | undefined,
  resendStore: DeadLetterStore | undefined
): DeadLetterSource {
  const files = [
    ...(flags['dead-letter'] ?? (serviceOrg ? [] : defaultDeadLetterFiles(connection))),
    ...(resendStore instanceof DeadLetterFile ? [resendStore.path] : [])
  ];
  if (!serviceOrg) return new DeadLetterFiles(files);
  const database = new PgDeadLetterSource(serviceOrg.database, serviceOrg.orgId);
  return files.length > 0 ? new CombinedDeadLetterSource([database, new DeadLetterFiles(files)]) : database;
}

/** TETHR_API_*, at the service org's own Tethr instance when it has one. */
function tethrClientFor(serviceOrg: ServiceOrg | undefined): TethrClient {
  const url = serviceOrg?.options.tethrUrl;
  return tethrClientFromEnv(process.env, url ? { baseUrl: url } : {});
}

/** The relay's, backfill's and verify's default dead-letter files for this org. */
function defaultDeadLetterFiles(connection: OrgConnection): string[] {
  return [
    defaultDeadLetterPath(defaultCheckpointPath(connection.orgId)),
    defaultBackfillDeadLetterPath(connection.orgId),
    defaultVerifyDeadLetterPath(connection)
  ];
}

function defaultVerifyDeadLetterPath(connection: OrgConnection): string {
  return join('.tethr', `verify-${connection.orgId}.dead-letters.ndjson`);
}

function whyText(entry: NonNullable<VerifyResult['resend']>['stillMissing'][number]): string {
  if (entry.why === 'dead-lettered') {
    return messages.getMessage('why.dead-lettered', [entry.reason ?? '', shortDetail(entry.detail)]);
  }
  if (entry.why === 'not-in-tethr-yet')
    return messages.getMessage('why.not-in-tethr-yet', [entry.statusAfterResend ?? 'Unknown']);
  return messages.getMessage('why.interrupted');
}

function verifyError(error: unknown): Error {
  if (error instanceof SessionIdSchemeDetected)
    return messages.createError(
      'error.SessionIdSchemeDetected',
      [error.found, error.example, error.used],
      [error.found],
      error
    );
  if (error instanceof ResendWouldDuplicate)
    return messages.createError(
      'error.ResendWouldDuplicate',
      [error.count, error.found, error.example, error.used],
      [error.found],
      error
    );
  if (error instanceof SessionIdSchemeMismatch)
    return messages.createError(
      'error.SessionIdSchemeMismatch',
      [error.sent, error.expected],
      SESSION_ID_SCHEMES,
      error
    );
  if (error instanceof Error && /^Tethr/.test(error.name))
    return messages.createError('error.TethrStatusFailed', [error.message], [], error);
  return error as Error;
}

function emptyCounts(): VerifyChannelCounts {
  return {
    closed: 0,
    complete: 0,
    inProgress: 0,
    concluded: 0,
    notFound: 0,
    unknown: 0,
    excluded: 0,
    deadLettered: 0,
    missing: 0
  };
}

function counts(tally: ChannelTally): VerifyChannelCounts {
  return { ...tally };
}

function missingOf(entry: MissingConversation): VerifyMissing {
  return {
    channel: entry.channel,
    recordId: entry.recordId,
    sessionId: entry.sessionId,
    closedAt: entry.closedAt,
    status: entry.status,
    ...(entry.deadLetter ? { deadLetter: { ...entry.deadLetter } } : {})
  };
}

function toResult(report: ReconcileReport, resendDeadLetters: string | undefined): VerifyResult {
  return {
    orgId: report.orgId,
    since: report.since,
    until: report.until,
    sessionIdScheme: report.sessionIdScheme,
    channels: Object.fromEntries(
      Object.entries(report.channels).map(([channel, tally]) => [channel, counts(tally)])
    ) as VerifyResult['channels'],
    totals: counts(report.totals),
    missing: report.missing.map(missingOf),
    ...(report.resend
      ? {
          resend: {
            attempted: report.resend.attempted,
            recovered: report.resend.recovered,
            stillMissing: report.resend.stillMissing.map((m) => ({
              ...missingOf(m),
              why: m.why,
              ...(m.reason !== undefined ? { reason: m.reason } : {}),
              ...(m.detail !== undefined ? { detail: m.detail } : {}),
              ...(m.statusAfterResend !== undefined ? { statusAfterResend: m.statusAfterResend } : {})
            })),
            deadLetterFile: resendDeadLetters ?? ''
          }
        }
      : {}),
    deadLetterSources: report.deadLetterSources,
    tethrStatusCalls: report.tethrStatusCalls,
    salesforceRequests: report.salesforceRequests,
    interrupted: report.interrupted
  };
}

/** One bar per phase and channel: sf's Progress cannot restart, and says "Components" by default. */
class ProgressBars {
  #current: { key: string; progress: Progress } | undefined;

  constructor(private readonly enabled: boolean) {}

  update({ phase, channel, total, done }: ReconcileProgress): void {
    const key = `${phase}:${channel}`;
    if (this.#current?.key !== key) {
      this.#current?.progress.finish();
      const progress = new Progress(this.enabled);
      progress.start(
        total,
        {},
        progressBarOptions(messages.getMessage(`progress.${phase}`, [CHANNEL_REGISTRY[channel].label]))
      );
      this.#current = { key, progress };
    }
    this.#current.progress.update(done);
  }

  finish(): void {
    this.#current?.progress.finish();
    this.#current = undefined;
  }
}
