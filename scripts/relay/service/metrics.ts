import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { WATCHED_LIMITS, type LimitReading } from '../limits-monitor.ts';
import type { HandledOutcome, RelayMetricsHooks } from '../relay-core.ts';

// The service's Prometheus metrics (prom-client writes the exposition format). Every per-org
// series carries the org id; an org's series are removed when this replica stops relaying it,
// so a fleet's series follow the leases instead of growing without bound.

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #received: Counter<'org'>;
  readonly #handled: Counter<'org' | 'outcome'>;
  readonly #reconnects: Counter<'org'>;
  readonly #checkpoints: Counter<'org'>;
  readonly #apiRequests: Counter<'org'>;
  readonly #apiCalls: Counter<'org'>;
  readonly #lag: Gauge<'org'>;
  readonly #connected: Gauge<'org'>;
  readonly #leaseOwned: Gauge<'org'>;
  readonly #limitRemaining: Gauge<'org' | 'limit'>;
  readonly #limitMax: Gauge<'org' | 'limit'>;
  readonly #connectBudget: Gauge<'org'>;
  readonly #verifyMissing: Gauge<'org'>;
  readonly #verifyStillMissing: Gauge<'org'>;
  readonly #verifyRuns: Counter<'org' | 'outcome'>;
  readonly #verifyResent: Counter<'org'>;
  readonly #verifyLastRun: Gauge<'org'>;
  readonly orgsOwned: Gauge;
  /** orgs whose scheduled reconciliation is due and waiting for this replica's one slot */
  readonly verifyQueue: Gauge;
  readonly ready: Gauge;

  constructor(options: { replicaId: string; defaultMetrics?: boolean }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ replica: options.replicaId });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#received = new Counter({
      name: 'tethr_relay_events_received_total',
      help: 'Events received from Pub/Sub.',
      labelNames: ['org'],
      registers
    });
    this.#handled = new Counter({
      name: 'tethr_relay_events_handled_total',
      help: 'Events acknowledged, by outcome: delivered, dead_lettered (see the dead letters), skipped (channel off).',
      labelNames: ['org', 'outcome'],
      registers
    });
    this.#reconnects = new Counter({
      name: 'tethr_relay_reconnects_total',
      help: 'Pub/Sub streams that ended and were opened again.',
      labelNames: ['org'],
      registers
    });
    this.#checkpoints = new Counter({
      name: 'tethr_relay_checkpoint_writes_total',
      help: 'Checkpoint writes that moved the stored position.',
      labelNames: ['org'],
      registers
    });
    this.#apiRequests = new Counter({
      name: 'tethr_relay_salesforce_requests_total',
      help: 'HTTP requests to the Salesforce REST API.',
      labelNames: ['org'],
      registers
    });
    this.#apiCalls = new Counter({
      name: 'tethr_relay_salesforce_api_calls_total',
      help: 'API calls as Salesforce counts them against the daily limit (each Composite Batch subrequest counts).',
      labelNames: ['org'],
      registers
    });
    this.#lag = new Gauge({
      name: 'tethr_relay_lag_seconds',
      help: "Seconds from the last acknowledged event's CreatedDate to its acknowledgement.",
      labelNames: ['org'],
      registers
    });
    this.#connected = new Gauge({
      name: 'tethr_relay_stream_connected',
      help: '1 while the org has a Pub/Sub stream the server answered.',
      labelNames: ['org'],
      registers
    });
    this.#leaseOwned = new Gauge({
      name: 'tethr_relay_lease_owned',
      help: "1 while this replica holds the org's lease.",
      labelNames: ['org'],
      registers
    });
    this.#limitRemaining = new Gauge({
      name: 'tethr_relay_salesforce_limit_remaining',
      help: 'Remaining of a Salesforce org limit (from /limits).',
      labelNames: ['org', 'limit'],
      registers
    });
    this.#limitMax = new Gauge({
      name: 'tethr_relay_salesforce_limit_max',
      help: 'Maximum of a Salesforce org limit (from /limits).',
      labelNames: ['org', 'limit'],
      registers
    });
    this.#connectBudget = new Gauge({
      name: 'tethr_relay_connect_budget_remaining',
      help: 'Connect API conversation-entries calls left in the current hour (own budget).',
      labelNames: ['org'],
      registers
    });
    this.#verifyMissing = new Gauge({
      name: 'tethr_relay_verify_missing',
      help: 'Conversations that closed in the last scheduled reconciliation window and Tethr did not hold (before any resend).',
      labelNames: ['org'],
      registers
    });
    this.#verifyStillMissing = new Gauge({
      name: 'tethr_relay_verify_still_missing',
      help: 'Of those, still missing after the automatic resend (equals tethr_relay_verify_missing without --verify-resend).',
      labelNames: ['org'],
      registers
    });
    this.#verifyRuns = new Counter({
      name: 'tethr_relay_verify_runs_total',
      help: 'Scheduled reconciliations, by outcome: ok, failed (see the log line), interrupted (lease lost, stop).',
      labelNames: ['org', 'outcome'],
      registers
    });
    this.#verifyResent = new Counter({
      name: 'tethr_relay_verify_resent_total',
      help: 'Conversations the scheduled reconciliation sent again.',
      labelNames: ['org'],
      registers
    });
    this.#verifyLastRun = new Gauge({
      name: 'tethr_relay_verify_last_run_timestamp_seconds',
      help: 'When the last scheduled reconciliation of the org finished (Unix time).',
      labelNames: ['org'],
      registers
    });
    this.verifyQueue = new Gauge({
      name: 'tethr_relay_verify_queue',
      help: 'Orgs whose scheduled reconciliation is due and waits for this replica (one runs at a time).',
      registers
    });
    this.orgsOwned = new Gauge({
      name: 'tethr_relay_orgs_owned',
      help: 'Orgs this replica relays.',
      registers
    });
    this.ready = new Gauge({ name: 'tethr_relay_ready', help: '1 when /readyz answers 200.', registers });
  }

  /** The hooks one org's relay reports through. */
  forOrg(org: string): RelayMetricsHooks & {
    apiUsage(requests: number, calls: number): void;
    connectBudget(remaining: number): void;
  } {
    const received = this.#received.labels(org);
    const handled: Record<HandledOutcome, ReturnType<Counter<'org' | 'outcome'>['labels']>> = {
      delivered: this.#handled.labels(org, 'delivered'),
      'dead-lettered': this.#handled.labels(org, 'dead_lettered'),
      skipped: this.#handled.labels(org, 'skipped')
    };
    const lag = this.#lag.labels(org);
    const connected = this.#connected.labels(org);
    const reconnects = this.#reconnects.labels(org);
    const checkpoints = this.#checkpoints.labels(org);
    this.#leaseOwned.labels(org).set(1);
    connected.set(0);
    let requests = 0;
    let calls = 0;
    return {
      received: (count) => received.inc(count),
      handled: (outcome, count) => handled[outcome].inc(count),
      lag: (seconds) => lag.set(seconds),
      reconnected: () => reconnects.inc(),
      connected: (up) => connected.set(up ? 1 : 0),
      checkpointWritten: () => checkpoints.inc(),
      limit: (reading: LimitReading) => {
        this.#limitRemaining.labels(org, reading.name).set(reading.remaining);
        this.#limitMax.labels(org, reading.name).set(reading.max);
      },
      apiUsage: (totalRequests, totalCalls) => {
        if (totalRequests > requests) this.#apiRequests.labels(org).inc(totalRequests - requests);
        if (totalCalls > calls) this.#apiCalls.labels(org).inc(totalCalls - calls);
        requests = Math.max(requests, totalRequests);
        calls = Math.max(calls, totalCalls);
      },
      connectBudget: (remaining) => this.#connectBudget.labels(org).set(remaining)
    };
  }

  /** What one org's scheduled reconciliation reports. */
  forVerify(org: string): {
    finished(
      outcome: 'ok' | 'failed' | 'interrupted',
      counts?: { missing: number; stillMissing: number; resent: number }
    ): void;
  } {
    return {
      finished: (outcome, counts) => {
        this.#verifyRuns.labels(org, outcome).inc();
        if (!counts) return;
        this.#verifyMissing.labels(org).set(counts.missing);
        this.#verifyStillMissing.labels(org).set(counts.stillMissing);
        if (counts.resent > 0) this.#verifyResent.labels(org).inc(counts.resent);
        this.#verifyLastRun.labels(org).set(Date.now() / 1000);
      }
    };
  }

  /** This replica no longer relays the org: drop its series. */
  forget(org: string): void {
    for (const metric of [
      this.#received,
      this.#reconnects,
      this.#checkpoints,
      this.#apiRequests,
      this.#apiCalls,
      this.#lag,
      this.#connected,
      this.#leaseOwned,
      this.#connectBudget,
      this.#verifyMissing,
      this.#verifyStillMissing,
      this.#verifyResent,
      this.#verifyLastRun
    ])
      metric.remove(org);
    for (const outcome of ['ok', 'failed', 'interrupted']) this.#verifyRuns.remove(org, outcome);
    for (const outcome of ['delivered', 'dead_lettered', 'skipped']) this.#handled.remove(org, outcome);
    for (const limit of WATCHED_LIMITS) {
      this.#limitRemaining.remove(org, limit);
      this.#limitMax.remove(org, limit);
    }
  }
}
