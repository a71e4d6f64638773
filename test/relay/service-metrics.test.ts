import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import { closedEventRecord } from '../servers/pubsub/conversation-closed-schema.ts';
import { waitFor } from './helpers/relay-env.ts';
import { ServiceEnv } from './helpers/service-env.ts';

// The metrics issue 10 asks for, per org, read from a running `relay serve`'s /metrics: events
// received, delivered and dead-lettered, lag, reconnects, lease ownership and API usage (requests,
// calls as Salesforce counts them, the /limits readings). Transcripts mode to the local Tethr, one
// event naming a record that does not exist (dead-lettered), and the stream dropped once
// (a reconnect). API usage is published every 15 s, so the test waits that long.

let env: ServiceEnv;
before(async () => {
  env = await new ServiceEnv().start({ keepaliveMs: 300 });
});
after(async () => {
  await env.stop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!])
    ) as Record<string, string>;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of a series of `org`, or undefined when it is not exported. */
function valueOf(
  all: Sample[],
  name: string,
  org: string,
  labels: Record<string, string> = {}
): number | undefined {
  return all.find(
    (s) =>
      s.name === name &&
      s.labels.org === org &&
      s.labels.replica === 'metrics' &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )?.value;
}

it(
  'exports per org: received, delivered, dead-lettered, lag, reconnects, lease ownership and API usage',
  { timeout: 120_000 },
  async () => {
    const orgId = ServiceEnv.orgId(801);
    const org = orgKey(orgId);
    await env.addOrg(orgId, { startAt: 'earliest' });
    const cases = Array.from({ length: 5 }, () => env.org.addCase(Date.now()));
    env.pubsub.publish(
      [
        ...cases.map((recordId) => closedEventRecord({ recordId, objectType: 'Case' })),
        // a Case the org does not have: read as not found, dead-lettered
        closedEventRecord({ recordId: '500000000000999AAA', objectType: 'Case' })
      ],
      orgId
    );
    const replica = await env.spawnReplica('metrics', { leaseSeconds: 3, args: ['--log-level', 'info'] });
    const base = await env.httpBase('metrics');
    const read = async () => samples(await (await fetch(`${base}/metrics`)).text());

    let all: Sample[] = [];
    await waitFor(
      async () => {
        all = await read();
        return (
          valueOf(all, 'tethr_relay_events_handled_total', org, { outcome: 'delivered' }) === cases.length &&
          valueOf(all, 'tethr_relay_events_handled_total', org, { outcome: 'dead_lettered' }) === 1
        );
      },
      60_000,
      () => replica.stderr.slice(-3000)
    );
    for (const recordId of cases) assert.ok(env.tethr.captures.has(env.sessionId(orgId, recordId)));
    assert.equal(valueOf(all, 'tethr_relay_events_received_total', org), cases.length + 1);
    assert.equal(valueOf(all, 'tethr_relay_lease_owned', org), 1);
    assert.equal(valueOf(all, 'tethr_relay_stream_connected', org), 1);
    const lag = valueOf(all, 'tethr_relay_lag_seconds', org);
    assert.ok(lag !== undefined && lag >= 0, `lag exported: ${lag}`);

    // The stream dropped: counted as a reconnect, and connected again.
    const reconnects = valueOf(all, 'tethr_relay_reconnects_total', org) ?? 0;
    assert.ok(env.pubsub.dropStreams() >= 1);
    await waitFor(
      async () => {
        all = await read();
        return (
          (valueOf(all, 'tethr_relay_reconnects_total', org) ?? 0) > reconnects &&
          valueOf(all, 'tethr_relay_stream_connected', org) === 1
        );
      },
      30_000,
      () => replica.stderr.slice(-3000)
    );

    // /limits is read within seconds of the start: remaining and maximum per watched limit.
    await waitFor(
      async () => {
        all = await read();
        return (
          valueOf(all, 'tethr_relay_salesforce_limit_remaining', org, { limit: 'DailyApiRequests' }) === 99000
        );
      },
      30_000,
      () => replica.stderr.slice(-3000)
    );
    assert.equal(
      valueOf(all, 'tethr_relay_salesforce_limit_max', org, { limit: 'DailyApiRequests' }),
      100000
    );
    assert.equal(
      valueOf(all, 'tethr_relay_salesforce_limit_remaining', org, { limit: 'DailyDeliveredPlatformEvents' }),
      50000
    );

    // API usage is brought up to date every 15 s (and when the org's relay stops).
    await waitFor(
      async () => {
        all = await read();
        return (valueOf(all, 'tethr_relay_salesforce_requests_total', org) ?? 0) > 0;
      },
      30_000,
      () => replica.stderr.slice(-3000)
    );
    assert.ok((valueOf(all, 'tethr_relay_salesforce_api_calls_total', org) ?? 0) > 0, 'API calls counted');

    replica.process.kill('SIGTERM');
    assert.equal(await replica.exited, 0, replica.stderr.slice(-2000));
  }
);
