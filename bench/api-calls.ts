import { join } from 'node:path';
import { fromCredentialsBundle } from '../scripts/contracts/org-connection.ts';
import { BundleSession } from '../scripts/org/bundle-auth.ts';
import { readBundle } from '../scripts/org/credentials-bundle.ts';
import { DeadLetterFile } from '../scripts/relay/dead-letters.ts';
import { parsePubSubEndpoint } from '../scripts/relay/pubsub-endpoint.ts';
import { silentLogger } from '../scripts/relay/relay-logger.ts';
import { runRelay } from '../scripts/relay/relay-runner.ts';
import { NdjsonSink } from '../scripts/relay/sinks/ndjson-sink.ts';
import { RelayEnv, waitFor } from '../test/relay/helpers/relay-env.ts';

// What transcripts mode costs an org in Salesforce API calls per 1,000 closed records.
export async function apiCallsPerThousand(): Promise<string[]> {
  const env = await new RelayEnv().start();
  try {
    const bundle = await readBundle(env.bundlePath);
    const measure = async (objectType: 'Case' | 'MessagingSession') => {
      const ids = Array.from({ length: 1000 }, (_, i) =>
        objectType === 'Case' ? env.org.addCase(Date.now() - i) : env.org.addMessagingSession(Date.now() - i)
      );
      const stop = new AbortController();
      let handled = 0;
      const run = runRelay({
        connection: fromCredentialsBundle(bundle),
        session: new BundleSession(bundle),
        mode: 'transcripts',
        sink: new NdjsonSink(join(env.dir, `${objectType}.ndjson`)),
        deadLetters: new DeadLetterFile(join(env.dir, `${objectType}.dead.ndjson`)),
        checkpointPath: join(env.dir, `${objectType}.checkpoint`),
        endpoint: parsePubSubEndpoint(env.pubsub.url),
        logger: silentLogger,
        signal: stop.signal,
        statusIntervalMs: 60_000,
        limitsIntervalMs: 0,
        onEventHandled: () => {
          handled += 1;
          if (handled === ids.length) stop.abort();
        }
      });
      await waitFor(() => env.pubsub.activeStreams > 0);
      env.publish(ids.map((recordId) => ({ recordId, objectType })));
      const summary = await run;
      if (summary.deadLettered > 0)
        throw new Error(
          `${summary.deadLettered} ${objectType} records dead-lettered in the API-call measurement`
        );
      await waitFor(() => env.pubsub.activeStreams === 0);
      return { requests: summary.apiUsage.requests, counted: summary.apiUsage.countedCalls };
    };
    const cases = await measure('Case');
    const sessions = await measure('MessagingSession');
    return [
      '| transcripts mode, per 1,000 closed records | HTTP requests | API calls counted by Salesforce |',
      '|--------------------------------------------|---------------|---------------------------------|',
      `| Case (IN query + subqueries)               | ${String(cases.requests).padStart(13)} | ${String(cases.counted).padStart(31)} |`,
      `| MessagingSession (query + Composite Batch) | ${String(sessions.requests).padStart(13)} | ${String(sessions.counted).padStart(31)} |`,
      '(plus one OAuth token request per relay start and per expired session, and one /limits read per 10 minutes)',
      ''
    ];
  } finally {
    await env.stop();
  }
}
