import { hostname } from 'node:os';
import { Flags } from '@salesforce/sf-plugins-core';
import { parsePubSubEndpoint } from '../relay/pubsub-endpoint.ts';
import { jsonLogger, type LogLevel } from '../relay/relay-logger.ts';
import { openDatabase, type Database } from '../relay/service/database.ts';
import { RelayService } from '../relay/service/relay-service.ts';
import { tethrAppCredentialFromEnv } from '../org/app-credential.ts';
import { takeOverStopSignals } from './stop-signals.ts';
import { APP_CREDENTIAL_VARS, envSection } from './env-vars.ts';
import { databaseUrlFlag, logLevelFlag, pubsubEndpointFlag, statusIntervalFlag } from './relay-flags.ts';
import { TethrCommand } from './tethr-command.ts';
import { inGroup } from './shared-flags.ts';

export interface RelayServeResult {
  replicaId: string;
  stopped: true;
}

export default class RelayServe extends TethrCommand<RelayServeResult> {
  public static override readonly summary =
    'Relay every org in the relay database: many orgs per process, any number of replicas.';
  public static override readonly description =
    "Reads its orgs (connections and per-org options, managed with `tethr-sf relay orgs add|remove|list`) from PostgreSQL and relays each one like `tethr-sf relay` does, with checkpoints and dead letters in the database. Replicas share the orgs through leases with a fencing epoch: each takes its share, renews it, and takes over a dead replica's orgs within the lease time; a replica that lost a lease can no longer write that org's checkpoint. Added, changed and removed orgs are picked up while it runs. Serves /healthz, /readyz and Prometheus /metrics on --http-port. SIGTERM drains every org, writes its checkpoint and releases its lease. Logs are JSON lines on stderr with the org on every line.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --database-url postgres://tethr@127.0.0.1:5432/relay --pubsub-endpoint http://127.0.0.1:7011 --lease-seconds 5 --http-port 9464'
  ];

  public static override readonly envVariablesSection = envSection(
    'TETHR_DATABASE_URL',
    'TETHR_API_URL',
    'TETHR_API_CLIENT_ID',
    'TETHR_API_CLIENT_SECRET',
    ...APP_CREDENTIAL_VARS
  );

  public static override readonly flags = {
    'database-url': databaseUrlFlag,
    'pubsub-endpoint': pubsubEndpointFlag,
    'replica-id': Flags.string({
      summary: "This replica's name in leases and logs (default: host name and pid).",
      helpGroup: 'REPLICAS'
    }),
    'lease-seconds': Flags.integer({
      summary:
        "How long an org stays with a replica that stops renewing (a dead replica's orgs move after this).",
      min: 2,
      max: 600,
      default: 30,
      helpGroup: 'REPLICAS'
    }),
    'http-port': Flags.integer({
      summary: 'Port for /healthz, /readyz and /metrics (0: any free port).',
      min: 0,
      max: 65535,
      default: 9464,
      helpGroup: 'HEALTH AND METRICS'
    }),
    'http-host': Flags.string({
      summary: 'Address the HTTP server listens on.',
      default: '0.0.0.0',
      helpGroup: 'HEALTH AND METRICS'
    }),
    'max-orgs': Flags.integer({
      summary: 'At most this many orgs on this replica (default: its share of all).',
      min: 1,
      helpGroup: 'REPLICAS'
    }),
    'drain-timeout': Flags.integer({
      summary: 'Seconds a stop waits for in-flight deliveries.',
      min: 1,
      default: 30
    }),
    'status-interval': inGroup(statusIntervalFlag, 'LOGGING'),
    'log-level': inGroup(logLevelFlag, 'LOGGING')
  };

  public async run(): Promise<RelayServeResult> {
    const { flags } = await this.parse(RelayServe);
    const endpoint = parsePubSubEndpoint(flags['pubsub-endpoint']);
    const replicaId = flags['replica-id'] ?? `${hostname()}-${process.pid}`;
    const logger = jsonLogger({ level: flags['log-level'] as LogLevel });
    // Read once: a packaged-app credential with a typo fails here, not at the first org.
    const appCredential = tethrAppCredentialFromEnv(process.env, { requireConsumerKey: false });
    // Before the database: a stop during the connect and migrations closes the pool and ends the
    // replica the way a later one does (TethrCommand's plain exit would skip that).
    const stop = new AbortController();
    const restoreSignals = takeOverStopSignals((signal) => {
      if (stop.signal.aborted) {
        logger.log('warn', `${signal} received again: exiting without waiting for the drain`, {});
        process.exit(130);
      }
      logger.log('info', `${signal} received: draining every org and releasing its lease`, {});
      stop.abort();
    });
    let database: Database | undefined;
    try {
      database = await openDatabase(flags['database-url'], {
        applicationName: `tethr-relay ${replicaId}`.slice(0, 63),
        onIdleError: (error) => logger.log('warn', 'database connection lost; the pool reconnects', { error })
      });
      if (stop.signal.aborted) return { replicaId, stopped: true };
      await new RelayService({
        database,
        replicaId,
        leaseSeconds: flags['lease-seconds'],
        endpoint,
        logger,
        signal: stop.signal,
        appCredential,
        httpPort: flags['http-port'],
        httpHost: flags['http-host'],
        ...(flags['max-orgs'] ? { maxOrgs: flags['max-orgs'] } : {}),
        drainTimeoutMs: flags['drain-timeout'] * 1000,
        statusIntervalMs: flags['status-interval'] * 1000
      }).run();
    } finally {
      restoreSignals();
      await database?.close().catch(() => undefined);
    }
    return { replicaId, stopped: true };
  }
}
