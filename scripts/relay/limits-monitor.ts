import type { SalesforceRest } from './fetchers/salesforce-rest.ts';
import type { RelayLogger } from './relay-logger.ts';
import { loadMessages } from '../shared/messages.ts';

// Reads the org's /limits now and then and warns before the relay runs into them: daily API
// requests (transcripts mode spends them) and the daily event delivery allocation (every event
// delivered to the relay counts). Salesforce stops serving the relay when either runs out. One
// warning per limit each time it crosses the threshold; the values also go to the metrics.

export const WATCHED_LIMITS = ['DailyApiRequests', 'DailyDeliveredPlatformEvents'] as const;
export const DEFAULT_LIMITS_INTERVAL_MS = 10 * 60_000;
export const DEFAULT_LIMITS_WARN_PERCENT = 80;

const messages = loadMessages('relay');

export interface LimitReading {
  name: string;
  max: number;
  remaining: number;
}

export class LimitsMonitor {
  readonly #rest: SalesforceRest;
  readonly #apiVersion: string;
  readonly #orgId: string;
  readonly #logger: RelayLogger;
  readonly #warnPercent: number;
  readonly #onReading: ((reading: LimitReading) => void) | undefined;
  readonly #warned = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(options: {
    rest: SalesforceRest;
    apiVersion: string;
    orgId: string;
    logger: RelayLogger;
    warnPercent?: number;
    onReading?: (reading: LimitReading) => void;
  }) {
    this.#rest = options.rest;
    this.#apiVersion = options.apiVersion;
    this.#orgId = options.orgId;
    this.#logger = options.logger;
    this.#warnPercent = options.warnPercent ?? DEFAULT_LIMITS_WARN_PERCENT;
    this.#onReading = options.onReading;
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    const run = () => void this.check();
    this.#timer = setInterval(run, intervalMs);
    this.#timer.unref();
    setTimeout(run, Math.min(intervalMs, 5_000)).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async check(): Promise<LimitReading[]> {
    let body: Record<string, { Max?: unknown; Remaining?: unknown }>;
    try {
      body = await this.#rest.request(`/services/data/v${this.#apiVersion}/limits`);
      this.#failures = 0;
    } catch (error) {
      this.#failures += 1;
      // Not worth more than one warning: the relay itself reports what matters for delivery.
      if (this.#failures === 1) this.#logger.log('warn', 'could not read /limits; will try again', { error });
      return [];
    }
    const readings: LimitReading[] = [];
    for (const name of WATCHED_LIMITS) {
      const max = Number(body?.[name]?.Max);
      const remaining = Number(body?.[name]?.Remaining);
      if (!Number.isFinite(max) || !Number.isFinite(remaining) || max <= 0) continue;
      const reading = { name, max, remaining };
      readings.push(reading);
      this.#onReading?.(reading);
      const usedPercent = Math.round(((max - remaining) / max) * 100);
      if (usedPercent >= this.#warnPercent) {
        if (!this.#warned.has(name))
          this.#logger.log(
            'warn',
            messages.warning('warning.LimitNearlyUsed', [
              this.#orgId,
              usedPercent,
              name,
              max - remaining,
              max
            ]),
            {
              limit: name,
              max,
              remaining,
              usedPercent
            }
          );
        this.#warned.add(name);
      } else {
        this.#warned.delete(name);
      }
    }
    return readings;
  }
}
