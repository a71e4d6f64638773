import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { TethrAppCredential } from '../../org/app-credential.ts';
import type { TethrClient } from '../../tethr/tethr-client.ts';
import { sleep, type BackoffPolicy } from '../backoff.ts';
import { PubSubChannelPool } from '../pubsub-channels.ts';
import type { PubSubEndpoint } from '../pubsub-endpoint.ts';
import { withFields, type RelayLogger } from '../relay-logger.ts';
import { checkTethr, tethrClientFromEnv } from '../tethr-env.ts';
import type { Database } from './database.ts';
import { startHealthServer } from './health-server.ts';
import { Lease, LeaseStore } from './lease-store.ts';
import { ServiceMetrics } from './metrics.ts';
import { OrgWorker } from './org-worker.ts';
import { PgDeadLetterStore } from './pg-dead-letter-store.ts';
import { VerifyScheduler } from './scheduled-verify.ts';
import { TENANTS_CHANNEL, TenantStore, type Tenant } from './tenant-store.ts';

// `tethr-sf relay serve`: many orgs in one process, any number of replicas. Every tick (a third
// of the lease) a replica
//   1. heartbeats, and counts the replicas alive;
//   2. renews the leases it holds; an org whose lease it lost stops at once (abandoned, not
//      drained: the new owner replays what was in flight);
//   3. reads the tenants: a new revision restarts the org's relay, `removing` drains it and
//      deletes it, a held lease without a running relay starts one;
//   4. balances: claims orgs up to its share (active orgs / live replicas, rounded up) and gives
//      back, after draining them, orgs above its share (when another replica joined).
// Beside the streams, the orgs it relays are reconciled with Tethr on their schedule
// (scheduled-verify.ts: one at a time per replica, only under the org's lease).
// `relay orgs add|remove` also NOTIFY the replicas, so a change is picked up at once rather than
// at the next tick. On stop (SIGTERM) every org is drained and its lease released.

export interface RelayServiceOptions {
  database: Database;
  replicaId: string;
  leaseSeconds: number;
  endpoint: PubSubEndpoint;
  logger: RelayLogger;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Tethr's packaged-app credential (TETHR_SF_*), read once; undefined when not configured */
  appCredential?: TethrAppCredential | undefined;
  /** 0 picks a free port (tests); undefined: no HTTP server */
  httpPort?: number;
  httpHost?: string;
  /** at most this many orgs on this replica */
  maxOrgs?: number;
  streamsPerChannel?: number;
  statusIntervalMs?: number;
  limitsIntervalMs?: number;
  drainTimeoutMs?: number;
  backoff?: BackoffPolicy;
  lingerMs?: number;
  /** called once the HTTP server listens (tests read the port) */
  onListening?: (port: number) => void;
}

interface TethrState {
  client: TethrClient;
  ok: boolean;
  error?: string;
}

export class RelayService {
  readonly #o: RelayServiceOptions;
  readonly #logger: RelayLogger;
  readonly #leaseStore: LeaseStore;
  readonly #tenants: TenantStore;
  readonly #metrics: ServiceMetrics;
  readonly #pool: PubSubChannelPool;
  readonly #deadLetters: PgDeadLetterStore;
  readonly #verify: VerifyScheduler;
  readonly #leases = new Map<string, Lease>();
  readonly #workers = new Map<string, OrgWorker>();
  readonly #releasing = new Set<string>();
  readonly #tethr = new Map<string, TethrState>();
  #wake: (() => void) | undefined;
  #ready = false;
  #draining = false;
  #lastError: string | undefined;
  #ticks = 0;

  constructor(options: RelayServiceOptions) {
    this.#o = options;
    this.#logger = withFields(options.logger, { replicaId: options.replicaId });
    this.#leaseStore = new LeaseStore(options.database, {
      replicaId: options.replicaId,
      leaseSeconds: options.leaseSeconds
    });
    this.#tenants = new TenantStore(options.database);
    this.#metrics = new ServiceMetrics({ replicaId: options.replicaId });
    this.#pool = new PubSubChannelPool(options.endpoint, {
      ...(options.streamsPerChannel ? { streamsPerChannel: options.streamsPerChannel } : {})
    });
    this.#deadLetters = new PgDeadLetterStore(options.database);
    this.#verify = new VerifyScheduler({
      database: options.database,
      deadLetters: this.#deadLetters,
      metrics: this.#metrics,
      logger: options.logger,
      tethrClient: (url) => this.#tethrClient(url),
      appCredential: options.appCredential,
      signal: options.signal,
      ...(options.backoff ? { backoff: options.backoff } : {})
    });
  }

  get metrics(): ServiceMetrics {
    return this.#metrics;
  }

  /** Orgs this replica relays right now. */
  get owned(): string[] {
    return [...this.#workers.keys()];
  }

  async run(): Promise<void> {
    const http =
      this.#o.httpPort === undefined
        ? undefined
        : await startHealthServer({
            port: this.#o.httpPort,
            ...(this.#o.httpHost ? { host: this.#o.httpHost } : {}),
            registry: this.#metrics.registry,
            readiness: () => this.#readiness()
          });
    if (http) {
      this.#logger.log('info', 'health and metrics listening', {
        port: http.port,
        paths: ['/healthz', '/readyz', '/metrics']
      });
      this.#o.onListening?.(http.port);
    }
    const listener = await this.#listen();
    this.#logger.log('info', 'relay service starting', {
      database: this.#o.database.describe,
      endpoint: this.#o.endpoint.target,
      leaseSeconds: this.#o.leaseSeconds
    });
    const intervalMs = Math.max(200, (this.#o.leaseSeconds * 1000) / 3);
    try {
      while (!this.#o.signal.aborted) {
        await this.#tick();
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          void sleep(intervalMs, this.#o.signal).then(resolve);
        });
        this.#wake = undefined;
      }
    } finally {
      await this.#shutdown();
      await listener?.end().catch(() => undefined);
      await http?.close();
    }
  }

  async #tick(): Promise<void> {
    this.#ticks += 1;
    try {
      const live = await this.#leaseStore.heartbeat();
      await this.#renew();
      const tenants = await this.#tenants.snapshot();
      this.#reconcile(tenants);
      // The first tick only announces this replica, so replicas starting together see each other
      // before they claim (otherwise the first one up would take every org and hand most back).
      if (this.#ticks > 1) await this.#balance(tenants, live);
      if (this.#ticks % 10 === 0) await this.#tenants.sweepRemovals();
      this.#ready = this.#ticks > 1;
      this.#lastError = undefined;
    } catch (error) {
      this.#ready = false;
      this.#lastError = (error as Error).message;
      this.#logger.log('error', 'service tick failed (database?); leases end on their own if this lasts', {
        error
      });
    }
    this.#metrics.orgsOwned.set(this.#workers.size);
    this.#metrics.ready.set(this.#readiness().ready ? 1 : 0);
  }

  async #renew(): Promise<void> {
    const held = [...this.#leases.values()].filter((lease) => lease.current);
    for (const lease of this.#leases.values())
      if (!lease.current) this.#lost(lease, 'expired before it was renewed');
    const sentAt = performance.now();
    const renewed = await this.#leaseStore.renew(held.map((l) => ({ orgId: l.orgId, epoch: l.epoch })));
    for (const lease of held) {
      if (renewed.has(lease.orgId)) lease.renewed(sentAt);
      else this.#lost(lease, 'the database refused the renewal (expired or claimed by another replica)');
    }
  }

  #lost(lease: Lease, reason: string): void {
    if (this.#leases.get(lease.orgId) !== lease) return;
    this.#leases.delete(lease.orgId);
    this.#releasing.delete(lease.orgId);
    lease.revoke(reason);
    this.#verify.remove(lease.orgId, lease);
    this.#logger.log('warn', 'lease lost', { orgId: lease.orgId, epoch: lease.epoch, reason });
    void this.#workers.get(lease.orgId)?.abandon(reason);
  }

  #reconcile(tenants: Map<string, Tenant>): void {
    for (const [orgId, lease] of this.#leases) {
      const tenant = tenants.get(orgId);
      const worker = this.#workers.get(orgId);
      if (!tenant) {
        this.#lost(lease, 'the org was deleted');
        continue;
      }
      if (tenant.state === 'removing') {
        if (!this.#releasing.has(orgId)) {
          this.#releasing.add(orgId);
          this.#logger.log('info', 'org removed: draining it', { orgId });
          void this.#stopThen(orgId, worker, async () => {
            await this.#tenants.finishRemoval(orgId, this.#o.replicaId, lease.epoch);
            this.#leases.delete(orgId);
            this.#releasing.delete(orgId);
            this.#logger.log('info', 'org removed', { orgId });
          });
        }
        continue;
      }
      if (this.#releasing.has(orgId) || this.#draining) continue;
      if (worker && worker.revision !== tenant.revision && !worker.stopping) {
        this.#logger.log('info', 'org changed: restarting its relay', { orgId, revision: tenant.revision });
        void worker.stop();
        continue;
      }
      if (!worker && lease.current) this.#start(tenant, lease);
    }
  }

  async #balance(tenants: Map<string, Tenant>, live: number): Promise<void> {
    if (this.#draining) return;
    const active = [...tenants.values()].filter((t) => t.state === 'active').length;
    const target = Math.min(this.#o.maxOrgs ?? Number.POSITIVE_INFINITY, Math.ceil(active / live));
    const mine = [...this.#leases.keys()].filter((id) => !this.#releasing.has(id));
    if (mine.length < target) {
      const sentAt = performance.now();
      const claimed = await this.#leaseStore.claim(target - mine.length);
      for (const claim of claimed) {
        const lease = new Lease(claim, sentAt, this.#o.leaseSeconds);
        this.#leases.set(lease.orgId, lease);
        const tenant = tenants.get(lease.orgId);
        this.#logger.log('info', 'lease claimed', { orgId: lease.orgId, epoch: lease.epoch });
        if (tenant?.state === 'active') this.#start(tenant, lease);
      }
    } else if (mine.length > target) {
      // Another replica joined: hand back the excess, drained, so it can take them.
      for (const orgId of mine.slice(target)) {
        const lease = this.#leases.get(orgId)!;
        this.#releasing.add(orgId);
        this.#logger.log('info', 'handing an org to another replica', { orgId, target, live });
        void this.#stopThen(orgId, this.#workers.get(orgId), async () => {
          if (this.#leases.get(orgId) === lease && lease.current)
            await this.#leaseStore.release({ orgId, epoch: lease.epoch });
          this.#leases.delete(orgId);
          this.#releasing.delete(orgId);
        });
      }
    }
  }

  #start(tenant: Tenant, lease: Lease): void {
    const worker = new OrgWorker(tenant, lease, {
      database: this.#o.database,
      replicaId: this.#o.replicaId,
      pubsub: this.#pool,
      deadLetters: this.#deadLetters,
      metrics: this.#metrics,
      logger: this.#o.logger,
      tethrClient: (url) => this.#tethrClient(url),
      appCredential: this.#o.appCredential,
      ...(this.#o.statusIntervalMs !== undefined ? { statusIntervalMs: this.#o.statusIntervalMs } : {}),
      ...(this.#o.limitsIntervalMs !== undefined ? { limitsIntervalMs: this.#o.limitsIntervalMs } : {}),
      ...(this.#o.drainTimeoutMs !== undefined ? { drainTimeoutMs: this.#o.drainTimeoutMs } : {}),
      ...(this.#o.backoff ? { backoff: this.#o.backoff } : {}),
      ...(this.#o.lingerMs !== undefined ? { lingerMs: this.#o.lingerMs } : {})
    });
    this.#workers.set(tenant.orgId, worker);
    this.#verify.add({
      orgId: tenant.orgId,
      tenant,
      lease,
      connectBudget: () => worker.connectBudget
    });
    void worker.done.then(() => {
      this.#verify.remove(tenant.orgId, lease);
      if (this.#workers.get(tenant.orgId) === worker) this.#workers.delete(tenant.orgId);
      if (worker.endedBy === 'lease-lost') this.#lost(lease, 'the relay found its lease gone');
      this.#wake?.();
    });
  }

  async #stopThen(orgId: string, worker: OrgWorker | undefined, then: () => Promise<void>): Promise<void> {
    try {
      await worker?.stop();
      await then();
    } catch (error) {
      this.#logger.log('error', 'could not finish stopping an org', { orgId, error });
    }
    this.#wake?.();
  }

  /** One client (one token) per Tethr instance, checked once it is first needed. */
  #tethrClient(url: string | undefined): TethrClient {
    const env = this.#o.env ?? process.env;
    const key = url ?? env.TETHR_API_URL ?? '';
    let state = this.#tethr.get(key);
    if (!state) {
      const client = tethrClientFromEnv(env, url ? { baseUrl: url } : {});
      state = { client, ok: false };
      this.#tethr.set(key, state);
      void this.#checkTethr(state);
    }
    return state.client;
  }

  async #checkTethr(state: TethrState): Promise<void> {
    while (!this.#o.signal.aborted) {
      try {
        await checkTethr(state.client, { attempts: 1, signal: this.#o.signal });
        state.ok = true;
        state.error = undefined;
        this.#logger.log('info', 'tethr answered the token request', { tethr: state.client.baseUrl.origin });
        return;
      } catch (error) {
        if (state.error !== (error as Error).message)
          this.#logger.log('error', 'tethr token request failed; captures wait and retry', {
            tethr: state.client.baseUrl.origin,
            error
          });
        state.error = (error as Error).message;
      }
      await sleep(30_000, this.#o.signal);
    }
  }

  #readiness(): { ready: boolean; details: Record<string, unknown> } {
    const ready = this.#ready && !this.#draining;
    return {
      ready,
      details: {
        replicaId: this.#o.replicaId,
        orgs: this.#workers.size,
        draining: this.#draining,
        ...(this.#lastError ? { error: this.#lastError } : {}),
        ...(this.#ticks <= 1 ? { starting: true } : {}),
        tethr: Object.fromEntries(
          [...this.#tethr.values()].map((s) => [
            s.client.baseUrl.origin,
            s.ok ? 'ok' : (s.error ?? 'checking')
          ])
        ),
        pubsub: this.#pool.stats
      }
    };
  }

  async #listen(): Promise<pg.Client | undefined> {
    const client = new pg.Client(this.#o.database.pool.options as pg.ClientConfig);
    try {
      await client.connect();
      client.on('notification', () => this.#wake?.());
      client.on('error', () => undefined);
      await client.query(`LISTEN ${TENANTS_CHANNEL}`);
      return client;
    } catch (error) {
      this.#logger.log('warn', 'LISTEN failed; tenant changes are picked up at the next tick', { error });
      await client.end().catch(() => undefined);
      return undefined;
    }
  }

  async #shutdown(): Promise<void> {
    this.#draining = true;
    this.#logger.log('info', 'draining every org and releasing its lease', { orgs: this.#workers.size });
    // Leases must stay renewed while the orgs drain, or their last checkpoints would be refused.
    const keepAlive = setInterval(
      () => void this.#renew().catch(() => undefined),
      Math.max(200, (this.#o.leaseSeconds * 1000) / 3)
    );
    try {
      await this.#verify.stop();
      await Promise.all([...this.#workers.values()].map((worker) => worker.stop()));
      for (const lease of this.#leases.values())
        if (lease.current)
          await this.#leaseStore.release({ orgId: lease.orgId, epoch: lease.epoch }).catch(() => undefined);
      this.#leases.clear();
      await this.#leaseStore.leave().catch(() => undefined);
    } finally {
      clearInterval(keepAlive);
      this.#pool.close();
    }
    this.#logger.log('info', 'relay service stopped', {});
  }
}
