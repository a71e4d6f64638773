import { Flags } from '@salesforce/sf-plugins-core';
import { BundleSession } from '../org/bundle-auth.ts';
import { readBundle } from '../org/credentials-bundle.ts';
import { DeadLetterFile } from '../relay/dead-letters.ts';
import { defaultCheckpointPath, defaultDeadLetterPath } from '../relay/default-paths.ts';
import { DEFAULT_PUBSUB_ENDPOINT, parsePubSubEndpoint } from '../relay/pubsub-endpoint.ts';
import { jsonLogger, type LogLevel } from '../relay/relay-logger.ts';
import { runRelay, type InvalidReplayPolicy, type RelaySummary } from '../relay/relay-runner.ts';
import { createSink } from '../relay/sink-factory.ts';
import { parseSinkOption } from '../relay/sink-option.ts';
import { credentialsFlag, sinkFlag, takeOverStopSignals } from './delivery-flags.ts';
import { AGE_VARS, envSection, TETHR_API_VARS } from './env-vars.ts';
import { TethrCommand } from './tethr-command.ts';

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

export default class Relay extends TethrCommand<RelayResult> {
  public static override readonly summary =
    'Forward Conversation Closed events from Salesforce to Tethr as they happen.';
  public static override readonly description =
    "Subscribes to the bundle's Conversation_Closed__e topic over the Pub/Sub API and, per closed conversation, reads it as the integration user and posts it to Tethr (or writes it to an NDJSON file). Delivery is at-least-once: the replay id is checkpointed only after the sink acknowledged the event and every event before it, so a restart with the same --checkpoint resumes without losing anything. Stop with Ctrl+C or SIGTERM: in-flight work is drained and the checkpoint written. Tethr credentials come from TETHR_API_URL, TETHR_API_CLIENT_ID and TETHR_API_CLIENT_SECRET. Logs are JSON lines on stderr.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --credentials ./tethr-credentials.json',
    '<%= config.bin %> <%= command.id %> --credentials ./bundle.json --mode events --sink ndjson:./events.ndjson --checkpoint ./state/acme.checkpoint.json',
    '<%= config.bin %> <%= command.id %> --credentials ./bundle.json --sink ndjson:- --pubsub-endpoint http://127.0.0.1:7011'
  ];
  public static override readonly envVariablesSection = envSection(...TETHR_API_VARS, ...AGE_VARS);

  public static override readonly flags = {
    credentials: credentialsFlag,
    mode: Flags.option({
      summary:
        "transcripts: send each conversation in Tethr's format; events: forward the events as received.",
      options: ['transcripts', 'events'] as const,
      default: 'transcripts'
    })(),
    sink: sinkFlag,
    checkpoint: Flags.file({
      summary: 'Checkpoint file (default .tethr/relay-<orgId>.checkpoint.json). One per org and topic.'
    }),
    'dead-letter': Flags.file({
      summary: 'Dead-letter file for undeliverable records (default: next to the checkpoint).'
    }),
    'pubsub-endpoint': Flags.string({
      summary: `Pub/Sub API endpoint: host:port or https://host:port (TLS), http://127.0.0.1:port (plaintext, local tests only).`,
      default: DEFAULT_PUBSUB_ENDPOINT
    }),
    'start-at': Flags.option({
      summary: 'Where to start when there is no checkpoint yet.',
      options: ['latest', 'earliest'] as const,
      default: 'latest'
    })(),
    'on-invalid-replay': Flags.option({
      summary:
        'When Pub/Sub rejects the stored replay id (older than 72 hours): resume from earliest or latest, or fail.',
      options: ['earliest', 'latest', 'fail'] as const,
      default: 'earliest'
    })(),
    'num-requested': Flags.integer({
      summary: 'Flow-control window: events in flight at most (1-100).',
      min: 1,
      max: 100,
      default: 100
    }),
    'status-interval': Flags.integer({ summary: 'Seconds between status log lines.', min: 1, default: 30 }),
    'log-level': Flags.option({
      summary: 'Lowest log level written to stderr.',
      options: ['debug', 'info', 'warn', 'error'] as const,
      default: 'info'
    })()
  };

  public async run(): Promise<RelayResult> {
    const { flags } = await this.parse(Relay);
    const bundle = await readBundle(flags.credentials);
    const endpoint = parsePubSubEndpoint(flags['pubsub-endpoint']);
    const sinkSpec = parseSinkOption(flags.sink);
    const checkpoint = flags.checkpoint ?? defaultCheckpointPath(bundle.orgId);
    const deadLetterPath = flags['dead-letter'] ?? defaultDeadLetterPath(checkpoint);
    const logger = jsonLogger({ level: flags['log-level'] as LogLevel });
    const stop = new AbortController();
    const hardStop = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) return;
      logger.log('info', `${signal} received: draining in-flight work and writing the checkpoint`, {});
      stop.abort();
    };
    const restoreSignals = takeOverStopSignals(onSignal);
    const deadLetters = new DeadLetterFile(deadLetterPath);
    try {
      const sink = createSink(sinkSpec, {
        mode: flags.mode,
        deadLetters,
        logger,
        signal: hardStop.signal,
        json: this.jsonEnabled()
      });
      const summary = await runRelay({
        bundle,
        session: new BundleSession(bundle),
        mode: flags.mode,
        sink,
        deadLetters,
        checkpointPath: checkpoint,
        endpoint,
        logger,
        signal: stop.signal,
        hardStop,
        numRequested: flags['num-requested'],
        startAt: flags['start-at'],
        onInvalidReplay: flags['on-invalid-replay'] as InvalidReplayPolicy,
        statusIntervalMs: flags['status-interval'] * 1000
      });
      const { apiUsage, counts } = relayCounts(summary);
      return {
        topic: bundle.eventTopic,
        mode: flags.mode,
        sink: sink.name,
        checkpoint,
        deadLetterFile: deadLetterPath,
        ...counts,
        salesforceRequests: apiUsage.requests,
        salesforceApiCalls: apiUsage.countedCalls
      };
    } finally {
      restoreSignals();
    }
  }
}
