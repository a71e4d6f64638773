import { Flags, Progress } from '@salesforce/sf-plugins-core';
import { CHANNEL_REGISTRY, type Channel } from '../contracts/channels.ts';
import { openIntegrationSession } from '../org/integration-session.ts';
import { DEFAULT_BACKOFF } from '../relay/backoff.ts';
import type { DeadLetterReason, DeadLetterSummary } from '../relay/dead-letters.ts';
import { jsonLogger } from '../relay/relay-logger.ts';
import { createSink } from '../relay/sink-factory.ts';
import { parseSinkOption } from '../relay/sink-option.ts';
import { deliveryResender } from '../relay/verify/resend.ts';
import { retryDeadLetters, type RetriedLetter } from '../relay/verify/retry-dead-letters.ts';
import {
  deadLetterSourceFlags,
  messages,
  openDeadLetters,
  reasonFlag,
  sourceArgs,
  type OpenedDeadLetters
} from './dead-letters-store.ts';
import { shortDetail } from './short-detail.ts';
import { takeOverStopSignals } from './stop-signals.ts';
import { AGE_VARS, APP_CREDENTIAL_VARS, envSection, TETHR_API_VARS } from './env-vars.ts';
import { serviceOrgSession } from './service-org.ts';
import { TethrCommand } from './tethr-command.ts';
import { progressBarOptions } from './window-flags.ts';

/** What became of one retried letter. */
export interface DeadLettersRetryEntry {
  id: string;
  recordId: string | null;
  objectType: string | null;
  sessionId: string | null;
  /**
   * delivered: sent and accepted; failed-again: dead-lettered again (reason, detail say why);
   * not-retryable: nothing to fetch again (no record id, or no known object); interrupted: not sent
   */
  outcome: 'delivered' | 'failed-again' | 'not-retryable' | 'interrupted';
  reason?: string;
  detail?: string;
  /** marked-retried / removed (delivered), replaced by the new attempt's letter (failed-again), kept */
  letter: 'marked-retried' | 'removed' | 'replaced' | 'kept';
}

export interface DeadLettersRetryResult {
  /** the dead-letter file, or relay_dead_letters (org ...) in the database */
  source: string;
  orgId: string;
  sessionIdScheme: 'org-and-record' | 'record-id';
  sink: string;
  attempted: number;
  delivered: number;
  failedAgain: number;
  notRetryable: number;
  interrupted: number;
  letters: DeadLettersRetryEntry[];
}

export default class DeadLettersRetry extends TethrCommand<DeadLettersRetryResult> {
  public static override readonly summary =
    'Send dead-lettered records through the normal delivery path again, once their cause is fixed.';
  public static override readonly description =
    "Reads each record named by the chosen letters from Salesforce again and sends it like the relay does: the same fetch, mapping, sink and Tethr session id. A letter is marked retried (or, with --remove, deleted) only once its record was delivered; one that fails again is replaced by the new attempt's letter, with the new reason. Letters without a record (an event that could not be decoded) cannot be fetched again and stay. For a dead-letter file it needs the org's --connection; for the relay service (--org-id) the connection, session-id scheme, sink and Tethr instance are the org's stored ones. Exits 1 when anything failed again or was interrupted.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> 3f1c2a9e-5b7d-4c1e-9a0b-2d4e6f8a0b1c --connection ./acme.connection.json',
    '<%= config.bin %> <%= command.id %> --reason record-not-found --connection ./acme.connection.json --dead-letter ./acme.dead-letters.ndjson',
    '<%= config.bin %> <%= command.id %> --all --org-id 00D5g000004abcD --json'
  ];
  public static override readonly envVariablesSection = envSection(
    ...TETHR_API_VARS,
    ...APP_CREDENTIAL_VARS,
    ...AGE_VARS,
    'TETHR_DATABASE_URL'
  );

  public static override readonly strict = false;

  public static override readonly flags = {
    ...deadLetterSourceFlags,
    reason: { ...reasonFlag, summary: 'Retry every letter with this reason.', exclusive: ['all'] },
    all: Flags.boolean({ summary: 'Retry every letter not retried yet.', exclusive: ['reason'] }),
    remove: Flags.boolean({ summary: 'Delete delivered letters instead of marking them retried.' }),
    sink: Flags.string({
      summary: "tethr, ndjson:<path> or ndjson:- (default: tethr; for --org-id the org's stored sink)."
    }),
    'batch-size': Flags.integer({
      summary: 'Records read per Salesforce request.',
      min: 1,
      max: 200,
      default: 50
    })
  };

  public async run(): Promise<DeadLettersRetryResult> {
    const { argv, flags } = await this.parse(DeadLettersRetry);
    const ids = [...new Set(argv as string[])];
    const chosen = [ids.length > 0, Boolean(flags.reason), flags.all].filter(Boolean).length;
    if (chosen !== 1) throw messages.createError('error.ChooseLetters');
    const opened = await openDeadLetters(flags, 'dead-letters retry', { needConnection: true });
    try {
      const letters = await this.select(
        opened,
        ids,
        flags.reason as DeadLetterReason | undefined,
        sourceArgs(flags, opened)
      );
      return await this.retry(opened, letters, flags);
    } finally {
      await opened.close();
    }
  }

  /** The letters to retry; an id that is not there, or already retried, stops it before anything is sent. */
  private async select(
    opened: OpenedDeadLetters,
    ids: string[],
    reason: DeadLetterReason | undefined,
    args: string
  ): Promise<DeadLetterSummary[]> {
    if (ids.length > 0) {
      const letters: DeadLetterSummary[] = [];
      for (const id of ids) {
        const letter = await opened.store.get(id);
        if (!letter) throw messages.createError('error.LetterNotFound', [id, opened.source], [args]);
        if (letter.retriedAt) throw messages.createError('error.AlreadyRetried', [id, letter.retriedAt]);
        letters.push(letter);
      }
      return letters;
    }
    const query = { ...(opened.orgId ? { orgId: opened.orgId } : {}), ...(reason ? { reason } : {}) };
    const count = await opened.store.count(query);
    // Oldest first: the order they failed in.
    return count === 0 ? [] : (await opened.store.list({ ...query, limit: count })).reverse();
  }

  private async retry(
    opened: OpenedDeadLetters,
    letters: DeadLetterSummary[],
    flags: { sink?: string; remove: boolean; 'batch-size': number }
  ): Promise<DeadLettersRetryResult> {
    const connection = opened.connection!;
    const serviceOrg = opened.serviceOrg;
    const sinkOption = flags.sink ?? serviceOrg?.options.sink ?? 'tethr';
    const spec = parseSinkOption(sinkOption);
    const logger = jsonLogger({ level: 'warn' });
    const stop = new AbortController();
    const tethrUrl = serviceOrg?.options.tethrUrl;
    let results: RetriedLetter[] = [];
    let sinkName = sinkOption;
    if (letters.length > 0) {
      const session = serviceOrg ? serviceOrgSession(serviceOrg) : openIntegrationSession(connection);
      const resender = deliveryResender({
        connection,
        rest: session,
        logger,
        policy: DEFAULT_BACKOFF,
        signal: stop.signal,
        deadLetters: opened.store,
        sessionIdScheme: opened.sessionIdScheme,
        eventId: 'dead-letters-retry',
        makeSink: (deadLetters) => {
          const sink = createSink(spec, {
            mode: 'transcripts',
            deadLetters,
            logger,
            signal: stop.signal,
            json: this.jsonEnabled(),
            ...(tethrUrl ? { tethrUrl } : {})
          });
          sinkName = sink.name;
          return sink;
        }
      });
      const restoreSignals = takeOverStopSignals(() => stop.abort());
      let bar: { channel: Channel; progress: Progress } | undefined;
      try {
        results = await retryDeadLetters({
          store: opened.store,
          letters,
          orgId: connection.orgId,
          sessionIdScheme: opened.sessionIdScheme,
          resender,
          remove: flags.remove,
          batchSize: flags['batch-size'],
          signal: stop.signal,
          onProgress: ({ channel, total, done }) => {
            if (bar?.channel !== channel) {
              bar?.progress.finish();
              bar = { channel, progress: new Progress(!this.jsonEnabled()) };
              bar.progress.start(
                total,
                {},
                progressBarOptions(messages.getMessage('progress.retry', [CHANNEL_REGISTRY[channel].label]))
              );
            }
            bar.progress.update(done);
          }
        });
      } finally {
        bar?.progress.finish();
        await resender.close();
        restoreSignals();
      }
    }
    const count = (outcome: RetriedLetter['outcome']) => results.filter((r) => r.outcome === outcome).length;
    const result: DeadLettersRetryResult = {
      source: opened.source,
      orgId: connection.orgId,
      sessionIdScheme: opened.sessionIdScheme,
      sink: sinkName,
      attempted: results.length,
      delivered: count('delivered'),
      failedAgain: count('failed-again'),
      notRetryable: count('not-retryable'),
      interrupted: count('interrupted'),
      letters: results.map((r) => ({
        id: r.id,
        recordId: r.recordId,
        objectType: r.channel,
        sessionId: r.sessionId,
        outcome: r.outcome,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        ...(r.detail !== undefined ? { detail: r.detail } : {}),
        letter: r.letter
      }))
    };
    if (result.failedAgain > 0 || result.interrupted > 0) process.exitCode = 1;
    if (!this.jsonEnabled()) this.render(result);
    return result;
  }

  private render(result: DeadLettersRetryResult): void {
    this.log(messages.getMessage('info.source', [result.source]));
    if (result.attempted === 0) {
      this.log(messages.getMessage('info.nothingToRetry'));
      return;
    }
    this.table({
      data: result.letters.map((l) => ({
        id: l.id,
        object: l.objectType ?? '-',
        record: l.recordId ?? '-',
        outcome: outcomeText(l)
      })),
      columns: [
        { key: 'id', name: messages.getMessage('column.id') },
        { key: 'object', name: messages.getMessage('column.object') },
        { key: 'record', name: messages.getMessage('column.record') },
        { key: 'outcome', name: messages.getMessage('column.outcome') }
      ]
    });
    this.log(
      messages.getMessage('info.retried', [
        result.attempted,
        result.delivered,
        result.failedAgain,
        result.notRetryable,
        result.interrupted
      ])
    );
  }
}

/** The table's outcome column: the start of a long detail (--json has all of it). */
function outcomeText(entry: DeadLettersRetryEntry): string {
  if (entry.outcome === 'not-retryable')
    return messages.getMessage('outcome.not-retryable', [
      messages.getMessage(`why.${entry.reason ?? 'no-record'}`)
    ]);
  return messages.getMessage(`outcome.${entry.outcome}`, [entry.reason ?? '', shortDetail(entry.detail)]);
}
