import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tethrSessionId } from '../../scripts/contracts/org-connection.ts';
import { generateKeyPair } from '../../scripts/org/jwt-certificate.ts';
import { closedEventRecord, conversationClosedSchema } from '../servers/pubsub/conversation-closed-schema.ts';
import { FakePubSubServer } from '../servers/pubsub/pubsub-server.ts';
import {
  PACKAGED_CONSUMER_KEY,
  PACKAGED_CONSUMER_SECRET,
  SHAPE_CHANNELS,
  SHAPES
} from '../servers/salesforce/org-shapes.ts';
import { FakeTethrServer } from '../servers/tethr/tethr-server.ts';
import { runCommand } from '../commands/run-command.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';
import { startShapedOrg, withTethrCredential, type ShapedOrg } from '../commands/shaped-org.ts';
import { spawnMain, waitFor, type RelayChild } from './helpers/relay-env.ts';

// The whole path in every shape of org: `setup` generates the org's access, then the relay (from
// the connection file, signing in as Tethr with the JWT key) reads each closed conversation through
// the fake's SOQL evaluator with exactly that access, and backfill reads the window and says which
// channels this org lacks. Nothing here is granted by hand: if the generated permission set missed a
// field a fetcher selects, Salesforce's INVALID_FIELD would dead-letter the record and the test fail.

const env = await useTemporarySfHome();
const { default: Setup } = await import('../../scripts/commands/setup.ts');
after(() => env.restore());

let dir: string;
let keyFile: string;
let certificate: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-shapes-'));
  const pair = generateKeyPair({ commonName: 'Tethr test', days: 30 });
  certificate = pair.certificatePem;
  keyFile = join(dir, 'tethr-jwt.key');
  await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 });
});
after(() => rm(dir, { recursive: true, force: true }));

/**
 * Nothing secret in a relay's or backfill's output: not the packaged app's secret (set in the
 * environment on purpose, though the JWT flow does not use it), the private key, a signed assertion,
 * an access token the fake issued, or Tethr's API secret.
 */
function assertNoSecrets(run: RelayChild, tethr: FakeTethrServer, issued: string[]): void {
  const output = `${run.stdout}\n${run.stderr}`;
  for (const secret of [
    PACKAGED_CONSUMER_SECRET,
    'PRIVATE KEY',
    'eyJhbGciOi',
    '00DFAKE!',
    tethr.clientSecret,
    ...issued
  ])
    assert.ok(!output.includes(secret), `"${secret.slice(0, 12)}..." in the output`);
}

for (const shape of SHAPES) {
  describe(`relay and backfill, ${shape} org with the package installed`, () => {
    let org: ShapedOrg;
    let pubsub: FakePubSubServer;
    const tethr = new FakeTethrServer();
    let connectionFile: string;
    let tethrEnv: Record<string, string>;

    before(async () => {
      org = await startShapedOrg(shape, {
        installed: { messagingExtension: shape !== 'case-only' },
        packagedCertificate: certificate,
        label: `relay-${shape}`
      });
      connectionFile = join(dir, `${shape}.connection.json`);
      const setup = await withTethrCredential(keyFile, () =>
        runCommand(Setup, ['--target-org', org.username, '--output', connectionFile, '--no-verify', '--json'])
      );
      assert.equal(setup.error, undefined, setup.error?.message);
      const schema = conversationClosedSchema('tethr');
      pubsub = await new FakePubSubServer({
        topic: '/event/tethr__Conversation_Closed__e',
        schemaJson: schema.json,
        schemaId: schema.id,
        acceptToken: (token) => org.fake.oauth.issued.includes(token),
        keepaliveMs: 500
      }).start();
      await tethr.start();
      tethrEnv = {
        TETHR_API_URL: tethr.url,
        TETHR_API_CLIENT_ID: tethr.clientId,
        TETHR_API_CLIENT_SECRET: tethr.clientSecret,
        TETHR_SF_CONSUMER_KEY: PACKAGED_CONSUMER_KEY,
        TETHR_SF_CONSUMER_SECRET: PACKAGED_CONSUMER_SECRET,
        TETHR_SF_JWT_KEY_FILE: keyFile
      };
    });
    after(async () => {
      await Promise.all([org.fake.stop(), pubsub.stop(), tethr.stop()]);
    });

    it('delivers every channel the org has, read with the generated access only', async () => {
      const records = SHAPE_CHANNELS[shape].map((objectType) => ({
        objectType,
        id: org.fake.org.all(objectType)[0]!.Id
      }));
      pubsub.publish(
        records.map((r) => closedEventRecord({ recordId: r.id, objectType: r.objectType }, 'tethr'))
      );
      const relay = spawnMain(
        [
          'relay',
          '--connection',
          connectionFile,
          '--pubsub-endpoint',
          pubsub.url,
          '--start-at',
          'earliest',
          '--checkpoint',
          join(dir, `${shape}.checkpoint`),
          '--status-interval',
          '1'
        ],
        { cwd: dir, env: tethrEnv }
      );
      try {
        await waitFor(
          () =>
            records.every((r) =>
              tethr.captures.has(tethrSessionId(org.fake.org.all('Organization')[0]!.Id, r.id))
            ),
          30_000,
          () => `not all delivered; stderr:\n${relay.stderr.slice(-3000)}`
        );
      } finally {
        relay.process.kill('SIGTERM');
        await relay.exited;
      }
      assert.ok(!relay.stderr.includes('"dead-lettered"'), relay.stderr.slice(-2000));
      assertNoSecrets(relay, tethr, org.fake.oauth.issued);
      const orgId = org.fake.org.all('Organization')[0]!.Id;
      const caseCapture = JSON.stringify(tethr.captures.get(tethrSessionId(orgId, records[0]!.id))!.body);
      // Fields only field-level security could have hidden: the contact's e-mail, an e-mail body.
      assert.match(caseCapture, /pat@example\.com/);
      assert.match(caseCapture, /Where is my order\?/);
      if (shape !== 'case-only') {
        const session = JSON.stringify(tethr.captures.get(tethrSessionId(orgId, records[1]!.id))!.body);
        assert.match(session, /Hi, I need help/);
      }
      // The reads went out as the integration user, through the org's SOQL evaluator.
      const queries = org.fake.server
        .find('rest.query')
        .filter((r) => /jwt_bearer/.test(r.headers.authorization ?? ''));
      assert.ok(queries.some((q) => q.query.q?.includes('FROM Case WHERE Id IN')));
    });

    it('backfills the window and says which channels the org lacks', async () => {
      const out = join(dir, `${shape}.backfill.ndjson`);
      const run = spawnMain(
        [
          'backfill',
          '--connection',
          connectionFile,
          '--since',
          '2026-11-20T00:00:00Z',
          '--until',
          '2026-11-21T00:00:00Z',
          '--channels',
          'Case,MessagingSession,LiveChatTranscript',
          '--sink',
          `ndjson:${out}`,
          '--cursor',
          join(dir, `${shape}.cursor.json`),
          '--json'
        ],
        { cwd: dir, env: tethrEnv }
      );
      assert.equal(await run.exited, 0, run.stderr.slice(-2000));
      assertNoSecrets(run, tethr, org.fake.oauth.issued);
      const result = (
        JSON.parse(run.stdout) as {
          result: { channels: Record<string, { outcome: string; delivered: number }> };
        }
      ).result;
      for (const channel of ['Case', 'MessagingSession', 'LiveChatTranscript'] as const) {
        const has = SHAPE_CHANNELS[shape].includes(channel);
        assert.equal(
          result.channels[channel]!.outcome === 'skipped',
          !has,
          `${channel}: ${JSON.stringify(result.channels[channel])}`
        );
        if (has) assert.equal(result.channels[channel]!.delivered, 1, channel);
      }
    });
  });
}
