// The local stand-ins the relay talks to (Salesforce OAuth + REST, the Pub/Sub API, Tethr), on
// stable ports, for trying `tethr-sf relay`, `backfill`, `verify`, `doctor` and `relay serve`
// without an org. It writes a connection file per org, prints the commands to run against it, and
// publishes a closed Case, Messaging session and chat transcript per org every few seconds until
// Ctrl+C.
//   npx tsx test/relay/local-stack.ts [--base-port 7010] [--orgs 2] [--dir .tethr/local-stack]
//
// Ports: Salesforce base, Pub/Sub base+1, Tethr base+2, the stack's own controls base+3
// (TETHR_LOCAL_STACK_BASE_PORT or --base-port). The stack keeps its event bus in --dir, so a
// relay's checkpoint stays valid when the stack restarts, and the printed commands stay the same
// from one start to the next.
//
// Controls (HTTP on base+3, 127.0.0.1 only), to cause what a real org would:
//   curl -s -X POST http://127.0.0.1:7013/purge            every event so far falls out of Pub/Sub's
//                                                           retention (as 72 hours would), every org
//   curl -s -X POST 'http://127.0.0.1:7013/purge?org=00D000000LOCAL1EAA'   one org
//   curl -s http://127.0.0.1:7013/                          events published and retained per org
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { resolve, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { LocalConnection } from '../../scripts/contracts/connection-file.ts';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import { writeConnectionFile } from '../../scripts/org/connection-files.ts';
import { closedEventRecord, conversationClosedSchema } from '../servers/pubsub/conversation-closed-schema.ts';
import { FakePubSubServer, type StoredEvent } from '../servers/pubsub/pubsub-server.ts';
import { FakeSalesforceServer } from '../servers/salesforce/server.ts';
import { FakeTethrServer } from '../servers/tethr/tethr-server.ts';
import { ConversationOrg, registerConversationRoutes, sessionRefusal } from './helpers/fake-conversations.ts';
import { consumerKeyOf, registerOrgsOAuth, type OrgsOAuthState } from './helpers/orgs-oauth.ts';

export const DEFAULT_BASE_PORT = 7010;
const TOPIC = '/event/Conversation_Closed__e';

const { values } = parseArgs({
  options: {
    'base-port': { type: 'string' },
    orgs: { type: 'string', default: '2' },
    dir: { type: 'string', default: join('.tethr', 'local-stack') },
    'interval-seconds': { type: 'string', default: '5' }
  }
});
const base = Number(values['base-port'] ?? process.env.TETHR_LOCAL_STACK_BASE_PORT ?? DEFAULT_BASE_PORT);
const orgCount = Math.max(1, Number(values.orgs));
const dir = resolve(values.dir!);
mkdirSync(dir, { recursive: true, mode: 0o700 });
const shown = (path: string) => relative(process.cwd(), path) || '.';

/** Listens on 127.0.0.1:`port`; a port already taken says which and what to do. */
async function listenOn(server: Server, port: number): Promise<void> {
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: give another --base-port`) : error
      )
    );
    server.listen(port, '127.0.0.1', done);
  });
}

/** An HTTP server on a stable port in front of a fake on a random one, naming itself in bodies. */
async function front(port: number, target: () => string): Promise<Server> {
  const origin = `http://127.0.0.1:${port}`;
  const server = createServer((req, res) => {
    const upstream = request(
      `${target()}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').split(target()).join(origin));
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 502, headers).end(body);
        });
      }
    );
    upstream.on('error', (error) => res.writeHead(502).end(error.message));
    req.pipe(upstream);
  });
  await listenOn(server, port);
  return server;
}

// --- state kept across restarts: when the stack first started, and the event bus ---
const statePath = join(dir, 'stack.json');
const state = existsSync(statePath)
  ? (JSON.parse(readFileSync(statePath, 'utf8')) as {
      firstStartedAt: string;
      /** per org: how many of its first events are out of retention (purged) */
      purged?: Record<string, number>;
    })
  : { firstStartedAt: new Date().toISOString() };
const saveState = () => writeFileSync(statePath, `${JSON.stringify(state)}\n`);
saveState();
const eventsPath = (orgId: string) => join(dir, `events-${orgKey(orgId)}.ndjson`);
function loadEvents(orgId: string): StoredEvent[] {
  if (!existsSync(eventsPath(orgId))) return [];
  return readFileSync(eventsPath(orgId), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const e = JSON.parse(line) as { id: string; replayId: string; payload: string };
      return {
        id: e.id,
        replayId: Buffer.from(e.replayId, 'base64'),
        payload: Buffer.from(e.payload, 'base64')
      };
    });
}
function keepEvents(orgId: string, events: StoredEvent[]): void {
  appendFileSync(
    eventsPath(orgId),
    events
      .map(
        (e) =>
          `${JSON.stringify({ id: e.id, replayId: e.replayId.toString('base64'), payload: e.payload.toString('base64') })}\n`
      )
      .join('')
  );
}

// --- the fakes ---
const oauth: OrgsOAuthState = { secret: 'local-stack-consumer-secret', issued: [] };
/** A token the fake OAuth issued: what the REST routes and Pub/Sub accept. */
const isIssued = (token: string) => oauth.issued.includes(token);
const org = new ConversationOrg();
const sf = await new FakeSalesforceServer().start();
registerOrgsOAuth(sf, oauth);
registerConversationRoutes(sf, org, isIssued);
sf.route(
  'GET',
  /^\/services\/data\/v\d+\.\d\/limits\/?$/,
  () => ({
    json: {
      DailyApiRequests: { Max: 100000, Remaining: 99000 },
      DailyDeliveredPlatformEvents: { Max: 50000, Remaining: 49000 }
    }
  }),
  'rest.limits'
);
// What `doctor --connection` asks besides the reads: the event's describe (the integration user
// can read Conversation_Closed__e, so subscribing works).
sf.route(
  'GET',
  /^\/services\/data\/v\d+\.\d\/sobjects\/Conversation_Closed__e\/describe\/?$/,
  ({ request }) =>
    sessionRefusal(request, isIssued) ?? {
      json: {
        name: 'Conversation_Closed__e',
        queryable: false,
        fields: [{ name: 'Record_Id__c', type: 'string' }]
      }
    },
  'rest.describe.event'
);
const schema = conversationClosedSchema('');
const pubsub = await new FakePubSubServer({
  topic: TOPIC,
  schemaJson: schema.json,
  schemaId: schema.id,
  acceptToken: isIssued,
  multiTenant: true,
  keepaliveMs: 5000,
  port: base + 1
}).start();
const tethr = await new FakeTethrServer().start();
const fronts = [await front(base, () => sf.url), await front(base + 2, () => tethr.url)];
const sfUrl = `http://127.0.0.1:${base}`;
const tethrUrl = `http://127.0.0.1:${base + 2}`;

const orgs = Array.from({ length: orgCount }, (_, i) => `00D000000LOCAL${i + 1}EAA`);
const files: string[] = [];
for (const orgId of orgs) {
  pubsub.restore(loadEvents(orgId), orgId);
  const purged = state.purged?.[orgKey(orgId)];
  if (purged) pubsub.purge(orgId, purged);
  const file = join(dir, `org-${orgs.indexOf(orgId) + 1}.connection.json`);
  const connection: LocalConnection = {
    schema: 'tethr-salesforce-connection/v2',
    orgId,
    instanceUrl: sfUrl,
    isSandbox: false,
    namespace: '',
    integrationUsername: `tethr.api@${orgKey(orgId).toLowerCase()}.example`,
    channels: ['Case', 'MessagingSession', 'LiveChatTranscript'],
    apiVersion: '66.0',
    createdAt: state.firstStartedAt,
    app: 'local',
    authFlow: 'client_credentials',
    consumerKey: consumerKeyOf(orgId),
    consumerSecret: oauth.secret
  };
  await writeConnectionFile(file, connection);
  files.push(file);
}

// --- the stack's controls ---
const controlsUrl = `http://127.0.0.1:${base + 3}`;
const controls = createServer((req, res) => {
  const url = new URL(req.url ?? '/', controlsUrl);
  const answer = (status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
  const retention = (orgId: string) => ({
    published: pubsub.eventsFor(orgId).length,
    outOfRetention: state.purged?.[orgKey(orgId)] ?? 0
  });
  if (req.method === 'GET' && url.pathname === '/')
    return answer(200, {
      orgs: Object.fromEntries(orgs.map((o) => [o, retention(o)])),
      tethrCaptures: tethr.captures.size
    });
  if (req.method === 'POST' && url.pathname === '/purge') {
    const wanted = url.searchParams.get('org');
    const chosen = wanted ? orgs.filter((o) => orgKey(o) === orgKey(wanted)) : orgs;
    if (chosen.length === 0) return answer(404, { error: `no org ${wanted} in this stack`, orgs });
    state.purged ??= {};
    for (const orgId of chosen) state.purged[orgKey(orgId)] = pubsub.purge(orgId);
    saveState();
    process.stdout.write(`Purged: every event so far is out of retention for ${chosen.join(', ')}\n`);
    return answer(200, { purged: Object.fromEntries(chosen.map((o) => [o, retention(o)])) });
  }
  return answer(404, { error: 'GET / or POST /purge[?org=<org id>]' });
});
await listenOn(controls, base + 3);

const q = (value: string) => `'${value}'`;
const first = shown(files[0]!);
process.stdout.write(
  [
    'Local servers are up:',
    `  Salesforce (OAuth, REST)  ${sfUrl}`,
    `  Pub/Sub API (plaintext)   ${pubsub.url}`,
    `  Tethr (Token, capture)    ${tethrUrl}`,
    `  Stack controls            ${controlsUrl}  (GET / for the event bus, POST /purge for a retention gap)`,
    ...files.map((f, i) => `  connection file, org ${i + 1}   ${shown(f)}  (${orgs[i]})`),
    '',
    'In another terminal, from the repository root:',
    `  export TETHR_API_URL=${tethrUrl} TETHR_API_CLIENT_ID=${q(tethr.clientId)} TETHR_API_CLIENT_SECRET=${q(tethr.clientSecret)}`,
    '',
    'One org, one process (`tethr-sf relay`):',
    `  npx tethr-sf relay --connection ${first} --pubsub-endpoint ${pubsub.url}`,
    `  npx tethr-sf relay --connection ${first} --pubsub-endpoint ${pubsub.url} --mode events --sink ndjson:- --checkpoint ${shown(join(dir, 'events.checkpoint'))}`,
    `  npx tethr-sf relay checkpoint show .tethr/relay-${orgs[0]}.checkpoint`,
    `  npx tethr-sf backfill --connection ${first} --since ${state.firstStartedAt}`,
    `  npx tethr-sf doctor --connection ${first}`,
    // The orgs of this stack share one set of conversations: another org's would look missing.
    orgCount === 1
      ? `  npx tethr-sf verify --connection ${first} --since ${state.firstStartedAt}`
      : '  (verify: start the stack with --orgs 1; its orgs share one set of conversations here)',
    `  npx tethr-sf dead-letters list --connection ${first}`,
    '',
    'Cause a gap as a relay outage longer than the 72-hour retention would (docs/verify.md):',
    `  stop the relay, wait, then: curl -s -X POST ${controlsUrl}/purge   and start the relay again`,
    '',
    'Every org in one service (`tethr-sf relay serve`, PostgreSQL: see docs/relay.md "Try the service"):',
    '  export TETHR_DATABASE_URL=postgres://tethr@127.0.0.1:5433/postgres',
    ...files.map((f) => `  npx tethr-sf relay orgs add --connection ${shown(f)}`),
    `  npx tethr-sf relay serve --pubsub-endpoint ${pubsub.url} --http-port 9464`,
    '  curl -s http://127.0.0.1:9464/metrics | grep tethr_relay_events',
    '',
    `Publishing a closed Case, Messaging session and chat transcript per org every ${values['interval-seconds']} s. Ctrl+C stops.`,
    ''
  ].join('\n')
);

let captured = 0;
const timer = setInterval(
  () => {
    const now = Date.now();
    for (const orgId of orgs) {
      const published = pubsub.publish(
        [
          closedEventRecord({ recordId: org.addCase(now), objectType: 'Case' }),
          closedEventRecord({ recordId: org.addMessagingSession(now), objectType: 'MessagingSession' }),
          closedEventRecord({ recordId: org.addChatTranscript(now), objectType: 'LiveChatTranscript' })
        ],
        orgId
      );
      keepEvents(orgId, published);
    }
    if (tethr.captures.size !== captured) {
      captured = tethr.captures.size;
      process.stdout.write(`Tethr has ${captured} captures; rejected ${tethr.rejected.length}\n`);
    }
  },
  Number(values['interval-seconds']) * 1000
);

const stop = () => {
  clearInterval(timer);
  void Promise.all([
    sf.stop(),
    pubsub.stop(),
    tethr.stop(),
    ...[...fronts, controls].map((f) => new Promise((done) => f.close(done)))
  ]).then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
