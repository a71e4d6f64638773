import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialsBundle } from '../../../scripts/contracts/credentials-bundle.ts';
import { fromCredentialsBundle, orgKey, tethrSessionId } from '../../../scripts/contracts/org-connection.ts';
import { openDatabase, type Database } from '../../../scripts/relay/service/database.ts';
import {
  DEFAULT_ORG_OPTIONS,
  parseOrgOptions,
  type RelayOrgOptions
} from '../../../scripts/relay/service/org-options.ts';
import { TenantStore } from '../../../scripts/relay/service/tenant-store.ts';
import { FakeSalesforceServer } from '../../servers/salesforce/server.ts';
import {
  closedEventRecord,
  conversationClosedSchema
} from '../../servers/pubsub/conversation-closed-schema.ts';
import { FakePubSubServer, type StoredEvent } from '../../servers/pubsub/pubsub-server.ts';
import { FakeTethrServer } from '../../servers/tethr/tethr-server.ts';
import { freshDatabase, type TestDatabase } from '../postgres/test-database.ts';
import { ConversationOrg, registerConversationRoutes } from './fake-conversations.ts';
import { consumerKeyOf, registerOrgsOAuth, type OrgsOAuthState } from './orgs-oauth.ts';

export { consumerKeyOf, registerOrgsOAuth, type OrgsOAuthState } from './orgs-oauth.ts';
import { MAIN, readNdjson, RelayChild, TSX, waitFor } from './relay-env.ts';
import { freePort } from './ports.ts';

// The relay service against the local fakes and a real PostgreSQL: one Salesforce (OAuth for every
// org's bundle, the conversation routes), one multi-tenant Pub/Sub (an event log per org id), one
// Tethr, a fresh database. Replicas are `relay serve` child processes, each in a directory of its
// own, so an org's ndjson sink (`out/<org>.ndjson`, relative) shows which replica delivered what.

export const TOPIC = '/event/Conversation_Closed__e';

export class ServiceEnv {
  readonly sf = new FakeSalesforceServer();
  readonly oauth: OrgsOAuthState = { secret: 'service-consumer-secret', issued: [] };
  readonly org = new ConversationOrg();
  readonly tethr = new FakeTethrServer();
  readonly schema = conversationClosedSchema('');
  readonly replicas = new Map<string, RelayChild>();
  readonly ports = new Map<string, number>();
  /** what GET /limits answers */
  limits: Record<string, { Max: number; Remaining: number }> = {
    DailyApiRequests: { Max: 100000, Remaining: 99000 },
    DailyDeliveredPlatformEvents: { Max: 50000, Remaining: 50000 }
  };
  pubsub!: FakePubSubServer;
  testDb!: TestDatabase;
  db!: Database;
  dir = '';

  async start(options: { keepaliveMs?: number; paceMs?: number; maxBatch?: number } = {}): Promise<this> {
    await this.sf.start();
    registerOrgsOAuth(this.sf, this.oauth);
    const valid = (token: string) => this.oauth.issued.includes(token);
    registerConversationRoutes(this.sf, this.org, valid);
    this.sf.route(
      'GET',
      /^\/services\/data\/v\d+\.\d\/limits\/?$/,
      () => ({ json: this.limits }),
      'rest.limits'
    );
    this.pubsub = await new FakePubSubServer({
      topic: TOPIC,
      schemaJson: this.schema.json,
      schemaId: this.schema.id,
      acceptToken: valid,
      multiTenant: true,
      keepaliveMs: options.keepaliveMs ?? 500,
      ...(options.paceMs ? { paceMs: options.paceMs } : {}),
      ...(options.maxBatch ? { maxBatch: options.maxBatch } : {})
    }).start();
    await this.tethr.start();
    this.testDb = await freshDatabase('service');
    this.db = await openDatabase(this.testDb.url);
    this.dir = await mkdtemp(join(tmpdir(), 'tethr-service-'));
    return this;
  }

  static orgId(index: number): string {
    return `00D${String(index).padStart(12, '0')}EAA`;
  }

  bundle(orgId: string, myDomainUrl = this.sf.url): CredentialsBundle {
    return {
      schema: 'tethr-salesforce-credentials/v1',
      orgId,
      myDomainUrl,
      authFlow: 'client_credentials',
      consumerKey: consumerKeyOf(orgId),
      consumerSecret: this.oauth.secret,
      integrationUsername: 'tethr.api@example.com',
      namespace: '',
      eventTopic: TOPIC,
      apiVersion: '66.0',
      channels: ['Case', 'MessagingSession', 'LiveChatTranscript'],
      createdAt: new Date().toISOString()
    };
  }

  /** events mode into `out/<org>.ndjson` of whichever replica relays the org */
  static eventsOptions(extra: Partial<RelayOrgOptions> = {}): Partial<RelayOrgOptions> {
    return { mode: 'events', sink: 'ndjson:out/{org}.ndjson', startAt: 'earliest', ...extra };
  }

  async addOrg(
    orgId: string,
    options: Partial<RelayOrgOptions> = {},
    bundle = this.bundle(orgId)
  ): Promise<void> {
    const resolved = parseOrgOptions({
      ...DEFAULT_ORG_OPTIONS,
      ...options,
      ...(options.sink ? { sink: options.sink.replace('{org}', orgKey(orgId)) } : {})
    });
    await new TenantStore(this.db).put(
      fromCredentialsBundle(bundle),
      bundle as unknown as Record<string, unknown>,
      resolved
    );
  }

  async removeOrg(orgId: string): Promise<string> {
    return new TenantStore(this.db).remove(orgId);
  }

  publish(orgId: string, count: number, objectType: 'Case' = 'Case'): StoredEvent[] {
    return this.pubsub.publish(
      Array.from({ length: count }, (_, i) =>
        closedEventRecord({ recordId: `500${String(i).padStart(15, '0')}`, objectType })
      ),
      orgId
    );
  }

  sessionId(orgId: string, recordId: string): string {
    return tethrSessionId(orgId, recordId);
  }

  /** The local Tethr's URL and credentials as the TETHR_API_* environment variables. */
  get tethrEnv(): Record<string, string> {
    return {
      TETHR_API_URL: this.tethr.url,
      TETHR_API_CLIENT_ID: this.tethr.clientId,
      TETHR_API_CLIENT_SECRET: this.tethr.clientSecret
    };
  }

  /** Runs `tethr-sf relay orgs ...` / `relay checkpoint show` (a child process) with --json; returns its result. */
  async command(
    name: 'orgs:add' | 'orgs:remove' | 'orgs:list' | 'checkpoint:show',
    args: string[]
  ): Promise<{ status: number | null; json: Record<string, unknown>; stderr: string }> {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, name, ...args, '--json'], {
      cwd: this.dir,
      env: {
        ...process.env,
        TETHR_DATABASE_URL: this.testDb.url,
        SF_DISABLE_TELEMETRY: 'true',
        SF_AUTOUPDATE_DISABLE: 'true'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    const run = new RelayChild(child);
    const status = await run.exited;
    return { status, json: JSON.parse(run.stdout) as Record<string, unknown>, stderr: run.stderr };
  }

  /** Starts a `relay serve` replica in its own directory. */
  async spawnReplica(
    name: string,
    options: { leaseSeconds?: number; args?: string[]; env?: Record<string, string> } = {}
  ): Promise<RelayChild> {
    const cwd = join(this.dir, name);
    await mkdir(join(cwd, 'out'), { recursive: true });
    const port = await freePort();
    this.ports.set(name, port);
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        MAIN,
        'serve',
        '--pubsub-endpoint',
        this.pubsub.url,
        '--replica-id',
        name,
        '--lease-seconds',
        String(options.leaseSeconds ?? 3),
        '--http-port',
        String(port),
        '--http-host',
        '127.0.0.1',
        '--status-interval',
        '60',
        '--drain-timeout',
        '10',
        ...(options.args ?? [])
      ],
      {
        cwd,
        env: {
          ...process.env,
          TETHR_DATABASE_URL: this.testDb.url,
          ...this.tethrEnv,
          SF_DISABLE_TELEMETRY: 'true',
          SF_AUTOUPDATE_DISABLE: 'true',
          ...options.env
        },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    );
    const replica = new RelayChild(child);
    this.replicas.set(name, replica);
    return replica;
  }

  /** The replica's /healthz, /readyz, /metrics base URL, once it answers. */
  async httpBase(name: string): Promise<string> {
    const base = `http://127.0.0.1:${this.ports.get(name)!}`;
    await waitFor(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false
        ),
      30_000,
      () => this.replicas.get(name)!.stderr.slice(-2000)
    );
    return base;
  }

  /** Lines one replica wrote for an org. */
  async output(replica: string, orgId: string): Promise<Array<Record<string, unknown>>> {
    return readNdjson(join(this.dir, replica, 'out', `${orgKey(orgId)}.ndjson`));
  }

  /** Waits until a replica has written exactly `count` lines for an org (else fails with its stderr). */
  async waitForOutput(
    replica: string,
    orgId: string,
    count: number,
    timeoutMs = 30_000
  ): Promise<Array<Record<string, unknown>>> {
    let lines: Array<Record<string, unknown>> = [];
    await waitFor(
      async () => (lines = await this.output(replica, orgId)).length === count,
      timeoutMs,
      () => this.replicas.get(replica)?.stderr.slice(-2000) ?? `no replica named ${replica}`
    );
    return lines;
  }

  /** Lines every replica wrote for an org, replica by replica. */
  async allOutput(orgId: string): Promise<Array<Record<string, unknown>>> {
    const all: Array<Record<string, unknown>> = [];
    for (const name of this.replicas.keys()) all.push(...(await this.output(name, orgId)));
    return all;
  }

  async owners(): Promise<Map<string, string | null>> {
    const { rows } = await this.db.query<{ org_id: string; owner: string | null }>(
      `SELECT org_id, CASE WHEN expires_at > now() THEN owner END AS owner FROM relay_leases`
    );
    return new Map(rows.map((r) => [r.org_id, r.owner]));
  }

  async stop(): Promise<void> {
    for (const replica of this.replicas.values()) {
      if (replica.process.exitCode === null && replica.process.signalCode === null) {
        replica.process.kill('SIGCONT');
        replica.process.kill('SIGKILL');
      }
    }
    await Promise.all([...this.replicas.values()].map((r) => r.exited));
    await this.db.close();
    await this.testDb.drop();
    await Promise.all([this.sf.stop(), this.pubsub.stop(), this.tethr.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}
