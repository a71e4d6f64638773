import { access, rename } from 'node:fs/promises';
import { Flags } from '@salesforce/sf-plugins-core';
import { CheckpointLock } from '../relay/checkpoint-lock.ts';
import { DEFAULT_CONNECT_HOURLY_LIMIT, HourlyBudget } from '../relay/connect-budget.ts';
import { DeadLetterFile } from '../relay/dead-letters.ts';
import {
  defaultCheckpointPath,
  defaultDeadLetterPath,
  legacyCheckpointPath
} from '../relay/default-paths.ts';
import { parsePubSubEndpoint } from '../relay/pubsub-endpoint.ts';
import { jsonLogger, withFields, type LogLevel, type RelayLogger } from '../relay/relay-logger.ts';
import { runRelay, type InvalidReplayPolicy, type RelaySummary } from '../relay/relay-runner.ts';
import { checkSink, createSink } from '../relay/sink-factory.ts';
import { parseSinkOption } from '../relay/sink-option.ts';
import { checkTethr, tethrClientFromEnv } from '../relay/tethr-env.ts';
import { sinkFlag } from './delivery-flags.ts';
import { takeOverStopSignals } from './stop-signals.ts';
import { loadConnection } from './relay-connection.ts';
import { openRelaySession } from '../relay/org-session.ts';
import { connectionFlags } from './window-flags.ts';
import { AGE_VARS, APP_CREDENTIAL_VARS, envSection, TETHR_API_VARS } from './env-vars.ts';
import { TethrCommand } from './tethr-command.ts';
import { inGroup } from './shared-flags.ts';
import {
  logLevelFlag,
  modeFlag,
  numRequestedFlag,
  onInvalidReplayFlag,
  pubsubEndpointFlag,
  sessionIdFlag,
  startAtFlag,
  statusIntervalFlag,
  tethrConcurrencyFlag
} from './relay-flags.ts';

export interface RelayResult {
  topic: string;
  mode: 'transcripts' | 'events';
  sink: string;
  checkpoint: string;
  deadLetterFile: string;
  received: number;
  delivered: number;
  deadLettered: number;
  skipped: number;
  reconnects: number;
  checkpointWrites: number;
  /** base64 of the last replay id saved to the checkpoint */
  checkpointReplayId: string | null;
  salesforceRequests: number;
  salesforceApiCalls: number;
}

/** The result's counts, field by field: what the relay core adds must not reach --json unannounced. */
function relayCounts(summary: RelaySummary) {
  const { received, delivered, deadLettered, skipped, reconnects, checkpointWrites, checkpointReplayId } =
    summary;
  return {
    counts: { received, delivered, deadLettered, skipped, reconnects, checkpointWrites, checkpointReplayId },
    apiUsage: summary.apiUsage
  };
}

/** What a stop signal needs, filled in as the start goes on. */
interface StartState {
  stop: AbortController;
  stopRetries: AbortController;
  lock?: CheckpointLock;
  logger?: RelayLogger;
}

export default class Relay extends TethrCommand<RelayResult> {
  public static override readonly summary =
    'Forward Conversation Closed events from one Salesforce org to Tethr as they happen.';
  public static override readonly description =
    "Subscribes to the org's Conversation_Closed__e topic over the Pub/Sub API and, per closed conversation, reads it as the integration user and posts it to Tethr (or writes it to an NDJSON file). Delivery is at-least-once: the replay id is checkpointed only after the sink acknowledged the event and every event before it, so a restart with the same --checkpoint resumes without losing anything; one relay at a time may use a checkpoint. Stop with Ctrl+C or SIGTERM: in-flight work is drained and the checkpoint written. Tethr credentials come from TETHR_API_URL, TETHR_API_CLIENT_ID and TETHR_API_CLIENT_SECRET; the relay asks Tethr for a token before it subscribes. Logs are JSON lines on stderr. For many orgs in one service, see `tethr-sf relay serve`.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --connection ./acme.tethr-connection.json',
    '<%= config.bin %> <%= command.id %> --credentials ./bundle.json --mode events --sink ndjson:./events.ndjson --checkpoint ./state/acme.checkpoint',
    '<%= config.bin %> <%= command.id %> --credentials ./bundle.json --sink ndjson:- --pubsub-endpoint http://127.0.0.1:7011'
  ];

  public static override readonly envVariablesSection = envSection(
    ...TETHR_API_VARS,
    ...APP_CREDENTIAL_VARS,
    ...AGE_VARS
  );

  public static override readonly flags = {
    ...connectionFlags,
    mode: inGroup(modeFlag, 'DELIVERY'),
    sink: inGroup(sinkFlag, 'DELIVERY'),
    'session-id': inGroup(sessionIdFlag, 'DELIVERY'),
    'tethr-concurrency': inGroup(tethrConcurrencyFlag, 'DELIVERY'),
    'connect-hourly-limit': Flags.integer({
      summary:
        'Connect API conversation-entries calls per hour the relay may spend (Messaging transcripts; Salesforce allows 1,000 by default).',
      min: 1,
      default: DEFAULT_CONNECT_HOURLY_LIMIT,
      helpGroup: 'DELIVERY'
    }),
    checkpoint: Flags.file({
      summary:
        'Checkpoint file (default .tethr/relay-<orgId>.checkpoint). One per org and topic; `tethr-sf relay checkpoint show <file>` prints it.',
      helpGroup: 'STATE'
    }),
    'dead-letter': Flags.file({
      summary: 'Dead-letter file for undeliverable records (default: next to the checkpoint).',
      helpGroup: 'STATE'
    }),
    'pubsub-endpoint': inGroup(pubsubEndpointFlag, 'STREAM'),
    'start-at': inGroup(startAtFlag, 'STREAM'),
    'on-invalid-replay': inGroup(onInvalidReplayFlag, 'STREAM'),
    'num-requested': inGroup(numRequestedFlag, 'STREAM'),
    'status-interval': inGroup(statusIntervalFlag, 'LOGGING'),
    'log-level': inGroup(logLevelFlag, 'LOGGING')
  };

  public async run(): Promise<RelayResult> {
    // Ours from the first moment, not TethrCommand's plain exit: a stop during the start (reading
    // files, taking the lock, asking Tethr for a token) ends the relay the way a later one does,
    // lock released; before the subscription there is nothing to drain, so it ends at once.
    const start: StartState = { stop: new AbortController(), stopRetries: new AbortController() };
    const onSignal = (signal: NodeJS.Signals) => {
      if (start.stop.signal.aborted) {
        start.logger?.log(
          'warn',
          `${signal} received again: stopping without waiting for in-flight work`,
          {}
        );
        void (start.lock?.release() ?? Promise.resolve()).finally(() => process.exit(130));
        return;
      }
      start.logger?.log('info', `${signal} received: draining in-flight work and writing the checkpoint`, {});
      start.stop.abort();
      start.stopRetries.abort();
    };
    const restoreSignals = takeOverStopSignals(onSignal);
    try {
      return await this.relay(start);
    } finally {
      restoreSignals();
      await start.lock?.release();
    }
  }

  private async relay(start: StartState): Promise<RelayResult> {
    const { stop, stopRetries } = start;
    const { flags } = await this.parse(Relay);
    const { connection } = await loadConnection(flags);
    const endpoint = parsePubSubEndpoint(flags['pubsub-endpoint']);
    const sinkSpec = parseSinkOption(flags.sink);
    checkSink(sinkSpec, { mode: flags.mode, json: this.jsonEnabled() });
    const logger = withFields(jsonLogger({ level: flags['log-level'] as LogLevel }), {
      orgId: connection.orgId
    });
    start.logger = logger;
    const checkpoint = flags.checkpoint ?? (await defaultCheckpoint(connection.orgId, logger));
    const deadLetterPath = flags['dead-letter'] ?? defaultDeadLetterPath(checkpoint);
    const tethr = sinkSpec.type === 'tethr' ? tethrClientFromEnv() : undefined;
    start.lock = await CheckpointLock.acquire(checkpoint);
    const deadLetters = new DeadLetterFile(deadLetterPath, { orgId: connection.orgId });
    if (tethr) await checkTethr(tethr, { signal: stop.signal, logger });
    const sink = createSink(sinkSpec, {
      mode: flags.mode,
      deadLetters,
      logger,
      signal: stopRetries.signal,
      json: this.jsonEnabled(),
      ...(tethr ? { tethr } : {}),
      concurrency: flags['tethr-concurrency']
    });
    const summary = await runRelay({
      connection,
      session: openRelaySession(connection),
      mode: flags.mode,
      sink,
      deadLetters,
      checkpointPath: checkpoint,
      endpoint,
      logger,
      signal: stop.signal,
      stopRetries,
      numRequested: flags['num-requested'],
      startAt: flags['start-at'],
      onInvalidReplay: flags['on-invalid-replay'] as InvalidReplayPolicy,
      sessionIdScheme: flags['session-id'],
      connectBudget: new HourlyBudget({ perHour: flags['connect-hourly-limit'], logger }),
      statusIntervalMs: flags['status-interval'] * 1000
    });
    const { apiUsage, counts } = relayCounts(summary);
    return {
      topic: connection.eventTopic,
      mode: flags.mode,
      sink: sink.name,
      checkpoint,
      deadLetterFile: deadLetterPath,
      ...counts,
      salesforceRequests: apiUsage.requests,
      salesforceApiCalls: apiUsage.countedCalls
    };
  }
}

/** The default checkpoint; a file under the old `.checkpoint.json` name is renamed to it once. */
async function defaultCheckpoint(orgId: string, logger: RelayLogger): Promise<string> {
  const current = defaultCheckpointPath(orgId);
  const legacy = legacyCheckpointPath(orgId);
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false
    );
  if (!(await exists(current)) && (await exists(legacy))) {
    await rename(legacy, current);
    logger.log('info', 'checkpoint renamed: its content is not JSON, so its name no longer says so', {
      from: legacy,
      to: current
    });
  }
  return current;
}
