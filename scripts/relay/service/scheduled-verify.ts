import type { TethrAppCredential } from '../../org/app-credential.ts';
import { TethrStatusClient } from '../../tethr/capture-status.ts';
import type { TethrClient } from '../../tethr/tethr-client.ts';
import { DEFAULT_BACKOFF, sleep, type BackoffPolicy } from '../backoff.ts';
import type { HourlyBudget } from '../connect-budget.ts';
import { connectionFromDocument } from '../connection-source.ts';
import type { DeadLetterStore } from '../dead-letters.ts';
import { LeaseLostError, type OwnershipFence } from '../lease-lost.ts';
import { openRelaySession } from '../org-session.ts';
import { withFields, type RelayLogger } from '../relay-logger.ts';
import { createSink } from '../sink-factory.ts';
import type { Sink } from '../sinks/sink.ts';
import { PgDeadLetterSource } from '../verify/pg-dead-letter-source.ts';
import { reconcile, type ReconcileReport } from '../verify/reconcile.ts';
import { deliveryResender } from '../verify/resend.ts';
import type { Database } from './database.ts';
import type { Lease } from './lease-store.ts';
import type { ServiceMetrics } from './metrics.ts';
import { verifiesOnSchedule, type RelayOrgOptions } from './org-options.ts';
import type { PgDeadLetterStore } from './pg-dead-letter-store.ts';
import type { Tenant } from './tenant-store.ts';

// The relay service's scheduled reconciliation: for each org this replica relays, every
// `verifyEverySeconds` it runs verify's reconciliation (reconcile.ts) over the window of
// `verifyWindowSeconds` that ended `verifyLagSeconds` ago, with the org's dead letters from the
// database, and with `verifyResend` sends what is missing through the normal delivery path.
//
// It is a background job beside the streams, never in their way:
// - one reconciliation at a time per replica (due orgs wait their turn, oldest due first;
//   tethr_relay_verify_queue says how many wait);
// - only while this replica holds the org's lease: checked before a run starts, the run is
//   aborted when the lease is lost or the org stops here, and every resent capture checks the
//   lease before it is written and before every Tethr attempt, retries included (the relay's own
//   sink factory, as the relay's sinks do), so two replicas never reconcile one org at once;
// - its own Salesforce session (one token request per run) and a quarter of the org's Tethr
//   concurrency for resends, which spend from the org's own Connect budget.
// An org's first run after it came to this replica is one interval later, plus up to a tenth of it
// at random, so a replica that takes over many orgs does not reconcile them all at once (and a
// replica that just started does not add a reconciliation to every stream's start). Nothing of it
// is stored: the counts go to the metrics and one JSON log line per run.

export interface ScheduledOrg {
  orgId: string;
  tenant: Tenant;
  lease: Lease;
  /** the org relay's Connect budget, when it has one running */
  connectBudget(): HourlyBudget | undefined;
}

export interface VerifySchedulerDeps {
  database: Database;
  deadLetters: PgDeadLetterStore;
  metrics: ServiceMetrics;
  logger: RelayLogger;
  tethrClient(url: string | undefined): TethrClient;
  appCredential: TethrAppCredential | undefined;
  signal: AbortSignal;
  backoff?: BackoffPolicy;
  /** the wait before an org's first run here (default: its interval plus up to a tenth at random) */
  firstRunDelayMs?: (everyMs: number) => number;
}

interface Entry {
  org: ScheduledOrg;
  options: RelayOrgOptions;
  dueAt: number;
  running?: AbortController;
}

/**
 * The sink a scheduled resend hands its captures to: Tethr, through the relay's own sink factory,
 * so the org's lease is checked before every write and before every Tethr attempt (a retry that
 * waited out a 503 while the replica lost the lease posts nothing).
 */
export function scheduledResendSink(options: {
  client: TethrClient;
  deadLetters: DeadLetterStore;
  logger: RelayLogger;
  policy: BackoffPolicy;
  signal: AbortSignal;
  tethrConcurrency: number;
  lease: OwnershipFence;
}): Sink {
  return createSink(
    { type: 'tethr' },
    {
      mode: 'transcripts',
      json: false,
      tethr: options.client,
      deadLetters: options.deadLetters,
      logger: options.logger,
      policy: options.policy,
      signal: options.signal,
      concurrency: Math.max(1, Math.floor(options.tethrConcurrency / 4)),
      fence: options.lease
    }
  );
}

export class VerifyScheduler {
  readonly #deps: VerifySchedulerDeps;
  readonly #entries = new Map<string, Entry>();
  /** when each org's last run here finished: kept when its relay restarts with a new revision */
  readonly #lastRuns = new Map<string, number>();
  readonly #loop: Promise<void>;
  #wake: (() => void) | undefined;

  constructor(deps: VerifySchedulerDeps) {
    this.#deps = deps;
    this.#loop = this.#run();
  }

  /** Schedules an org whose relay started here (replacing an earlier entry of the same org). */
  add(org: ScheduledOrg): void {
    const options = org.tenant.options;
    if ('invalid' in options || !verifiesOnSchedule(options)) {
      this.remove(org.orgId);
      return;
    }
    const everyMs = options.verifyEverySeconds * 1000;
    const last = this.#lastRuns.get(org.orgId);
    const dueAt =
      last !== undefined
        ? last + everyMs
        : Date.now() + (this.#deps.firstRunDelayMs ?? ((ms) => ms * (1 + Math.random() / 10)))(everyMs);
    const previous = this.#entries.get(org.orgId);
    previous?.running?.abort();
    this.#entries.set(org.orgId, { org, options, dueAt });
    this.#wake?.();
  }

  /** The org stopped here (lease lost, handed over, removed): its run, if any, is aborted. */
  remove(orgId: string, lease?: Lease): void {
    const entry = this.#entries.get(orgId);
    if (!entry || (lease && entry.org.lease !== lease)) return;
    entry.running?.abort();
    this.#entries.delete(orgId);
    this.#wake?.();
  }

  /** Resolves once the loop ended (the service's signal aborted) and a run in progress stopped. */
  async stop(): Promise<void> {
    for (const entry of this.#entries.values()) entry.running?.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { signal } = this.#deps;
    while (!signal.aborted) {
      const now = Date.now();
      const due = [...this.#entries.values()]
        .filter((e) => e.dueAt <= now && e.org.lease.current)
        .sort((a, b) => a.dueAt - b.dueAt);
      this.#deps.metrics.verifyQueue.set(due.length);
      const next = due[0];
      if (next) {
        await this.#reconcileOrg(next);
        continue;
      }
      const soonest = Math.min(...[...this.#entries.values()].map((e) => e.dueAt), now + 60_000);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        void sleep(Math.max(50, Math.min(soonest - now, 60_000)), signal).then(resolve, resolve);
      });
      this.#wake = undefined;
    }
    this.#deps.metrics.verifyQueue.set(0);
  }

  async #reconcileOrg(entry: Entry): Promise<void> {
    const { org, options } = entry;
    const abort = new AbortController();
    entry.running = abort;
    const stopWithService = () => abort.abort();
    this.#deps.signal.addEventListener('abort', stopWithService, { once: true });
    // A run that cannot finish (Salesforce down: its queries retry as long as they may) must not
    // hold the replica's one slot: it ends after its interval (at least a minute, at most 30).
    const limitMs = Math.min(30 * 60_000, Math.max(60_000, options.verifyEverySeconds * 1000));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, limitMs);
    const startedAt = Date.now();
    const until = new Date(startedAt - options.verifyLagSeconds * 1000).toISOString();
    const since = new Date(
      startedAt - (options.verifyLagSeconds + options.verifyWindowSeconds) * 1000
    ).toISOString();
    const logger = withFields(this.#deps.logger, { orgId: org.orgId, epoch: org.lease.epoch });
    const metrics = this.#deps.metrics.forVerify(org.orgId);
    const current = () => this.#entries.get(org.orgId) === entry;
    try {
      const report = await this.#reconcile(entry, { since, until }, logger, abort.signal);
      if (!current()) return;
      const stillMissing = report.resend ? report.resend.stillMissing.length : report.totals.missing;
      if (report.interrupted) metrics.finished(timedOut ? 'failed' : 'interrupted');
      else
        metrics.finished('ok', {
          missing: report.totals.missing,
          stillMissing,
          resent: report.resend?.attempted ?? 0
        });
      logger.log(report.totals.missing > 0 ? 'warn' : 'info', 'scheduled verify', {
        since,
        until,
        closed: report.totals.closed,
        complete: report.totals.complete,
        inProgress: report.totals.inProgress + report.totals.concluded,
        excluded: report.totals.excluded,
        deadLettered: report.totals.deadLettered,
        missing: report.totals.missing,
        resent: report.resend?.attempted ?? 0,
        recovered: report.resend?.recovered ?? 0,
        stillMissing,
        tethrStatusCalls: report.tethrStatusCalls,
        salesforceRequests: report.salesforceRequests,
        interrupted: report.interrupted,
        ...(timedOut ? { timedOutAfterSeconds: limitMs / 1000 } : {}),
        durationMs: Date.now() - startedAt
      });
    } catch (error) {
      if (!current()) return;
      if (timedOut) {
        metrics.finished('failed');
        logger.log(
          'error',
          'scheduled verify took too long and was stopped; it runs again at its next interval',
          {
            since,
            until,
            limitSeconds: limitMs / 1000
          }
        );
      } else if (abort.signal.aborted || error instanceof LeaseLostError) {
        metrics.finished('interrupted');
        logger.log('info', 'scheduled verify interrupted', { since, until, error: (error as Error).message });
      } else {
        metrics.finished('failed');
        logger.log('error', 'scheduled verify failed; it runs again at its next interval', {
          since,
          until,
          error
        });
      }
    } finally {
      clearTimeout(timer);
      this.#deps.signal.removeEventListener('abort', stopWithService);
      entry.running = undefined;
      const finishedAt = Date.now();
      if (current()) {
        this.#lastRuns.set(org.orgId, finishedAt);
        entry.dueAt = Math.max(startedAt + options.verifyEverySeconds * 1000, finishedAt);
      }
    }
  }

  async #reconcile(
    entry: Entry,
    window: { since: string; until: string },
    logger: RelayLogger,
    signal: AbortSignal
  ): Promise<ReconcileReport> {
    const { org, options } = entry;
    const connection = connectionFromDocument(org.tenant.document, `relay_orgs ${org.orgId}`);
    const session = openRelaySession(connection, { appCredential: this.#deps.appCredential });
    const client = this.#deps.tethrClient(options.tethrUrl);
    const policy = this.#deps.backoff ?? DEFAULT_BACKOFF;
    const budget = org.connectBudget();
    const resender = options.verifyResend
      ? deliveryResender({
          connection,
          rest: session,
          deadLetters: this.#deps.deadLetters.forOrg(org.orgId),
          logger,
          policy,
          signal,
          sessionIdScheme: options.sessionIdScheme,
          ...(budget ? { connectBudget: budget } : {}),
          eventId: 'scheduled-verify',
          makeSink: (deadLetters) =>
            scheduledResendSink({
              client,
              deadLetters,
              logger,
              policy,
              signal,
              tethrConcurrency: options.tethrConcurrency,
              lease: org.lease
            })
        })
      : undefined;
    try {
      return await reconcile({
        connection,
        rest: session,
        window,
        channels: connection.channels,
        statuses: new TethrStatusClient(client),
        deadLetters: new PgDeadLetterSource(this.#deps.database, org.orgId),
        sessionIdScheme: options.sessionIdScheme,
        ...(resender ? { resend: resender } : {}),
        policy,
        statusAttempts: 3,
        logger,
        signal
      });
    } finally {
      await resender?.close();
    }
  }
}
