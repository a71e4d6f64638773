import type { BackoffPolicy } from '../backoff.ts';
import { backoffDelay, sleep } from '../backoff.ts';
import { HourlyBudget } from '../connect-budget.ts';
import { connectionFromDocument } from '../connection-source.ts';
import { LeaseLostError } from '../lease-lost.ts';
import { openRelaySession } from '../org-session.ts';
import type { PubSubConnector } from '../pubsub-channels.ts';
import { OrgRelay } from '../relay-core.ts';
import { withFields, type RelayLogger } from '../relay-logger.ts';
import { createSink } from '../sink-factory.ts';
import { parseSinkOption } from '../sink-option.ts';
import type { TethrAppCredential } from '../../org/app-credential.ts';
import type { TethrClient } from '../../tethr/tethr-client.ts';
import type { Database } from './database.ts';
import type { Lease } from './lease-store.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { RelayOrgOptions } from './org-options.ts';
import { PgCheckpointStore } from './pg-checkpoint-store.ts';
import type { PgDeadLetterStore } from './pg-dead-letter-store.ts';
import type { Tenant } from './tenant-store.ts';

// One org inside `relay serve`: its relay (relay-core.ts) with the org's own session and token
// cache, sink and Tethr concurrency, flow-control window, Connect budget and backoff, under the
// org's lease. A relay that fails (credentials revoked, the subscription refused) is started again
// after a backoff that grows to 5 minutes; the lease is kept meanwhile, so a failing org does not
// wander from replica to replica. Nothing here is shared with other orgs except the channel pool,
// the database pool and the Tethr client (token) of the same Tethr instance.

export interface WorkerDeps {
  database: Database;
  replicaId: string;
  pubsub: PubSubConnector;
  deadLetters: PgDeadLetterStore;
  metrics: ServiceMetrics;
  logger: RelayLogger;
  tethrClient(url: string | undefined): TethrClient;
  appCredential: TethrAppCredential | undefined;
  statusIntervalMs?: number;
  limitsIntervalMs?: number;
  drainTimeoutMs?: number;
  backoff?: BackoffPolicy;
  lingerMs?: number;
}

const RESTART_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

export class OrgWorker {
  readonly orgId: string;
  readonly lease: Lease;
  readonly revision: number;
  readonly done: Promise<void>;
  readonly #deps: WorkerDeps;
  readonly #tenant: Tenant;
  readonly #logger: RelayLogger;
  readonly #stop = new AbortController();
  #stopRetries: AbortController | undefined;
  #budget: HourlyBudget | undefined;
  /** why the worker ended: stopped on request, or the lease is gone */
  endedBy: 'stop' | 'lease-lost' | undefined;

  constructor(tenant: Tenant, lease: Lease, deps: WorkerDeps) {
    this.orgId = tenant.orgId;
    this.lease = lease;
    this.revision = tenant.revision;
    this.#tenant = tenant;
    this.#deps = deps;
    this.#logger = withFields(deps.logger, { orgId: tenant.orgId, epoch: lease.epoch });
    this.done = this.#run();
  }

  /** The running relay's Connect budget: the scheduled reconciliation's resends spend from it too. */
  get connectBudget(): HourlyBudget | undefined {
    return this.#budget;
  }

  get stopping(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Graceful: drain what is in flight, write the checkpoint; resolves when the relay stopped. */
  stop(): Promise<void> {
    this.#stop.abort();
    return this.done;
  }

  /** The lease is gone: stop now, deliver and checkpoint nothing more. */
  abandon(reason: string): Promise<void> {
    this.lease.revoke(reason);
    this.#stopRetries?.abort();
    this.#stop.abort();
    return this.done;
  }

  async #run(): Promise<void> {
    const metrics = this.#deps.metrics.forOrg(this.orgId);
    let attempt = 0;
    try {
      while (!this.#stop.signal.aborted) {
        const startedAt = Date.now();
        try {
          await this.#runOnce(metrics);
          if (this.#stop.signal.aborted) break;
        } catch (error) {
          if (error instanceof LeaseLostError || !this.lease.current) {
            this.endedBy = 'lease-lost';
            return;
          }
          if (this.#stop.signal.aborted) break;
          this.#logger.log('error', 'org relay failed; starting it again after a backoff', {
            error,
            attempt: attempt + 1
          });
        }
        if (Date.now() - startedAt > 10 * 60_000) attempt = 0;
        await sleep(backoffDelay(attempt, RESTART_BACKOFF), this.#stop.signal);
        attempt += 1;
      }
      this.endedBy = 'stop';
    } finally {
      this.#deps.metrics.forget(this.orgId);
    }
  }

  async #runOnce(metrics: ReturnType<ServiceMetrics['forOrg']>): Promise<void> {
    const tenant = this.#tenant;
    if ('invalid' in tenant.options)
      throw new Error(`the org's stored options are invalid: ${tenant.options.invalid}`);
    const options: RelayOrgOptions = tenant.options;
    const connection = connectionFromDocument(tenant.document, `relay_orgs ${tenant.orgId}`);
    const session = openRelaySession(connection, { appCredential: this.#deps.appCredential });
    const stopRetries = new AbortController();
    this.#stopRetries = stopRetries;
    const deadLetters = this.#deps.deadLetters.forOrg(this.orgId);
    const sinkSpec = parseSinkOption(options.sink);
    const sink = createSink(sinkSpec, {
      mode: options.mode,
      deadLetters,
      logger: this.#logger,
      signal: stopRetries.signal,
      json: false,
      ...(sinkSpec.type === 'tethr' ? { tethr: this.#deps.tethrClient(options.tethrUrl) } : {}),
      concurrency: options.tethrConcurrency,
      ...(this.#deps.backoff ? { policy: this.#deps.backoff } : {}),
      fence: this.lease
    });
    // One budget for the worker's life, not per attempt: a relay started again after a failure
    // still knows what it spent this hour and how long Salesforce told it to wait.
    const budget = (this.#budget ??= new HourlyBudget({
      perHour: options.connectHourlyLimit,
      logger: this.#logger
    }));
    const relay = new OrgRelay({
      connection,
      session,
      mode: options.mode,
      sink,
      deadLetters,
      checkpoints: new PgCheckpointStore(this.#deps.database, {
        lease: this.lease,
        owner: this.#deps.replicaId,
        topic: connection.eventTopic
      }),
      pubsub: this.#deps.pubsub,
      logger: this.#logger,
      signal: this.#stop.signal,
      stopRetries,
      fence: this.lease,
      serviceOrg: true,
      numRequested: options.numRequested,
      startAt: options.startAt,
      onInvalidReplay: options.onInvalidReplay,
      sessionIdScheme: options.sessionIdScheme,
      connectBudget: budget,
      metrics,
      ...(this.#deps.statusIntervalMs !== undefined ? { statusIntervalMs: this.#deps.statusIntervalMs } : {}),
      ...(this.#deps.limitsIntervalMs !== undefined ? { limitsIntervalMs: this.#deps.limitsIntervalMs } : {}),
      ...(this.#deps.drainTimeoutMs !== undefined ? { drainTimeoutMs: this.#deps.drainTimeoutMs } : {}),
      ...(this.#deps.backoff ? { backoff: this.#deps.backoff } : {}),
      ...(this.#deps.lingerMs !== undefined ? { lingerMs: this.#deps.lingerMs } : {})
    });
    const usage = setInterval(() => {
      metrics.apiUsage(relay.apiUsage.requests, relay.apiUsage.countedCalls);
      metrics.connectBudget(budget.remaining);
    }, 15_000);
    usage.unref();
    try {
      await relay.run();
    } finally {
      clearInterval(usage);
      metrics.apiUsage(relay.apiUsage.requests, relay.apiUsage.countedCalls);
    }
  }
}
