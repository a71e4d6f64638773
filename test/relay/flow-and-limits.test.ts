import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HourlyBudget } from '../../scripts/relay/connect-budget.ts';
import {
  ConnectLimitError,
  MessagingSessionFetcher
} from '../../scripts/relay/fetchers/messaging-session-fetcher.ts';
import { CountingRest } from '../../scripts/relay/fetchers/salesforce-rest.ts';
import { FlowControl, MAX_OUTSTANDING } from '../../scripts/relay/flow-control.ts';
import { LimitsMonitor } from '../../scripts/relay/limits-monitor.ts';
import { jsonLogger, withFields, type RelayLogger } from '../../scripts/relay/relay-logger.ts';
import { parseEventSchema } from '../../scripts/relay/schema-cache.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { conversationClosedSchema } from '../servers/pubsub/conversation-closed-schema.ts';
import { ConversationOrg } from './helpers/fake-conversations.ts';

const messages = loadMessages('relay');

function collecting(): { logger: RelayLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: { log: (level, msg, fields = {}) => lines.push({ level, msg, ...fields }) } };
}

describe('flow control', () => {
  it('never has more than 100 (or the window) outstanding, and tops up before the window runs dry', () => {
    const flow = new FlowControl(100);
    assert.equal(flow.initialRequest(0), 100);
    assert.equal(flow.toRequest(100, 0), 0, 'a full window is not topped up');
    assert.equal(flow.toRequest(60, 40), 0, 'more than half still on its way');
    assert.equal(flow.toRequest(49, 51), 51, 'below half: topped up to the window');
    assert.equal(flow.toRequest(0, 380), 20, 'memory bound: at most four windows received and unsaved');
    assert.equal(flow.toRequest(10, 380), 0, 'and no tiny top-ups while events are on their way');
    assert.equal(flow.toRequest(0, 400), 0);
    for (let pending = 0; pending <= MAX_OUTSTANDING; pending += 7)
      for (let unsaved = 0; unsaved <= 500; unsaved += 13)
        assert.ok(
          pending + flow.toRequest(pending, unsaved) <= MAX_OUTSTANDING,
          `pending ${pending}, unsaved ${unsaved}`
        );
  });

  it('lets at most one window of deliveries run ahead of the checkpoint', () => {
    const flow = new FlowControl(20);
    assert.equal(flow.window, 20);
    assert.equal(flow.sinkBatch, 20);
    assert.equal(flow.mayDispatch(0, 20), true);
    assert.equal(flow.mayDispatch(1, 20), false);
    assert.equal(flow.mayDispatch(19, 1), true);
    assert.equal(new FlowControl(500).window, 100, 'Salesforce caps num_requested at 100');
    assert.equal(new FlowControl(0).window, 1);
  });
});

describe('Connect conversation-entries budget', () => {
  it('spends a sliding hour and waits for room', async () => {
    let now = 0;
    const waits: number[] = [];
    const budget = new HourlyBudget({
      perHour: 3,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      }
    });
    await budget.take(2);
    assert.equal(budget.remaining, 1);
    now = 1_000;
    await budget.take(2);
    assert.equal(now, 3_600_000, 'waited until the first calls left the hour');
    assert.ok(
      waits.every((ms) => ms <= 60_000),
      'in steps of at most a minute (a stop ends the wait)'
    );
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(budget.take(5, controller.signal));
  });

  it('after Salesforce refuses, every call waits: 5 minutes, doubling', () => {
    let now = 1_000_000;
    const log = collecting();
    const budget = new HourlyBudget({ perHour: 100, now: () => now, logger: log.logger });
    assert.equal(budget.refused(), 5 * 60_000);
    assert.equal(budget.blockedUntil, now + 5 * 60_000);
    now += 1000;
    assert.equal(budget.refused(), 10 * 60_000);
    assert.equal(
      log.lines.filter(
        (l) => l.msg === 'connect api hourly limit refused the call; waiting before the next one'
      ).length,
      2
    );
  });

  it('a 503 on a Connect subrequest is waited out (never dead-lettered) and spends the budget', async () => {
    const org = new ConversationOrg();
    const id = org.addMessagingSession(Date.now());
    const requests: string[] = [];
    let refuse = true;
    const rest = new CountingRest({
      async request<T>(path: string, init?: RequestInit): Promise<T> {
        requests.push(path);
        if (path.includes('/query')) {
          const soql = decodeURIComponent(path.split('q=')[1]!);
          return org.query(soql, '/services/data/v66.0').json as T;
        }
        if (refuse) {
          const body = JSON.parse(String(init?.body)) as { batchRequests: unknown[] };
          return {
            hasErrors: true,
            results: body.batchRequests.map(() => ({
              statusCode: 503,
              result: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'rate limit' }]
            }))
          } as T;
        }
        return org.batch(JSON.parse(String(init?.body)) as never).json as T;
      }
    });
    let now = 0;
    let wake: (() => void) | undefined;
    const budget = new HourlyBudget({
      perHour: 10,
      now: () => now,
      sleep: () => new Promise<void>((resolve) => (wake = resolve))
    });
    const fetcher = new MessagingSessionFetcher(rest, '66.0', budget);
    await assert.rejects(fetcher.fetch([id]), ConnectLimitError);
    assert.ok(budget.blockedUntil > now);
    const next = fetcher.fetch([id]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const batchesWhileBlocked = requests.filter((r) => r.includes('composite')).length;
    assert.equal(batchesWhileBlocked, 1, 'no Connect call while the refusal is waited out');
    refuse = false;
    now = budget.blockedUntil + 1;
    wake!();
    const result = await next;
    assert.ok(result.found.has(id));
    assert.equal(budget.spent, 2);
  });
});

describe('/limits', () => {
  it('warns once per limit when it crosses the threshold, and reports the readings', async () => {
    const log = collecting();
    const readings: string[] = [];
    let limits = {
      DailyApiRequests: { Max: 1000, Remaining: 100 },
      DailyDeliveredPlatformEvents: { Max: 50000, Remaining: 40000 }
    };
    const monitor = new LimitsMonitor({
      rest: { request: async <T>() => limits as T },
      apiVersion: '66.0',
      orgId: '00D000000000001EAA',
      logger: log.logger,
      warnPercent: 80,
      onReading: (r) => readings.push(`${r.name}=${r.remaining}/${r.max}`)
    });
    await monitor.check();
    await monitor.check();
    const warnings = log.lines.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, 'one warning while it stays above the threshold');
    assert.equal(
      warnings[0]!.msg,
      messages.warning('warning.LimitNearlyUsed', ['00D000000000001EAA', 90, 'DailyApiRequests', 900, 1000])
    );
    assert.deepEqual(readings.slice(0, 2), [
      'DailyApiRequests=100/1000',
      'DailyDeliveredPlatformEvents=40000/50000'
    ]);
    limits = { ...limits, DailyApiRequests: { Max: 1000, Remaining: 900 } };
    await monitor.check();
    limits = { ...limits, DailyApiRequests: { Max: 1000, Remaining: 50 } };
    await monitor.check();
    assert.equal(
      log.lines.filter((l) => l.level === 'warn').length,
      2,
      'warns again after it dropped below and crossed again'
    );
  });
});

describe('logs', () => {
  it('put the org on every line of a relay serve logger', () => {
    const text: string[] = [];
    const base = jsonLogger({ write: (t) => text.push(t) });
    const org = withFields(base, { orgId: '00D000000000001' });
    org.log('info', 'x', { a: 1 });
    org.log('warn', 'y', { token: 'secret-value' });
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        const lines = text
          .join('')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.ok(lines.every((l) => l.orgId === '00D000000000001'));
        assert.equal(lines[1]!.token, '[redacted]');
        resolve();
      })
    );
  });
});

describe('event schemas', () => {
  it('knows which fields are Salesforce DateTimes from the schema doc', () => {
    assert.deepEqual(parseEventSchema(conversationClosedSchema('').json).dateTimeFields, [
      'CreatedDate',
      'Closed_At__c'
    ]);
    assert.deepEqual(parseEventSchema(conversationClosedSchema('tethr').json).dateTimeFields, [
      'CreatedDate',
      'tethr__Closed_At__c'
    ]);
  });
});
