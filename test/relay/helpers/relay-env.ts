import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tethrSessionId } from '../../../scripts/contracts/org-connection.ts';
import { writeBundle, type CredentialsBundle } from '../../../scripts/org/credentials-bundle.ts';
import { registerOAuth, type FakeOAuthState } from '../../servers/salesforce/oauth.ts';
import { FakeSalesforceServer } from '../../servers/salesforce/server.ts';
import {
  closedEventRecord,
  conversationClosedSchema,
  type ClosedEventFields
} from '../../servers/pubsub/conversation-closed-schema.ts';
import { FakePubSubServer } from '../../servers/pubsub/pubsub-server.ts';
import { FakeTethrServer } from '../../servers/tethr/tethr-server.ts';
import { ConversationOrg, registerConversationRoutes } from './fake-conversations.ts';

// With CI set (as on the CI machine) @oclif/table prints a plain, borderless table; the tests read
// the bordered one, so they ask for it on every machine. Children inherit it through process.env.
process.env.OCLIF_TABLE_SKIP_CI_CHECK = 'true';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN = join(ROOT, 'test/relay/helpers/relay-main.ts');
// Absolute, because the child runs in a temporary directory where 'tsx' would not resolve.
export const TSX = import.meta.resolve('tsx');

/** Salesforce (OAuth + conversations), Pub/Sub and Tethr on 127.0.0.1, plus a bundle file. */
export class RelayEnv {
  readonly sf = new FakeSalesforceServer();
  readonly oauth: FakeOAuthState = {
    clients: [{ consumerKey: '3MVG9fake.consumer.key', consumerSecret: 'sf-consumer-secret-123' }],
    failures: [],
    issued: [],
    adminUsername: 'admin@example.com'
  };
  readonly revoked = new Set<string>();
  readonly org = new ConversationOrg();
  readonly tethr = new FakeTethrServer();
  readonly schema = conversationClosedSchema('');
  pubsub!: FakePubSubServer;
  dir = '';
  bundlePath = '';
  readonly orgId = '00D000000000001EAA';
  readonly children = new Set<ChildProcess>();

  async start(options: { keepaliveMs?: number; paceMs?: number; maxBatch?: number } = {}): Promise<this> {
    await this.sf.start();
    registerOAuth(this.sf, this.oauth);
    const valid = (token: string) => this.oauth.issued.includes(token) && !this.revoked.has(token);
    registerConversationRoutes(this.sf, this.org, valid);
    this.pubsub = await new FakePubSubServer({
      topic: '/event/Conversation_Closed__e',
      schemaJson: this.schema.json,
      schemaId: this.schema.id,
      acceptToken: valid,
      keepaliveMs: options.keepaliveMs ?? 500,
      ...(options.paceMs ? { paceMs: options.paceMs } : {}),
      ...(options.maxBatch ? { maxBatch: options.maxBatch } : {})
    }).start();
    await this.tethr.start();
    this.dir = await mkdtemp(join(tmpdir(), 'tethr-relay-'));
    this.bundlePath = join(this.dir, 'bundle.json');
    const bundle: CredentialsBundle = {
      schema: 'tethr-salesforce-credentials/v1',
      orgId: this.orgId,
      myDomainUrl: this.sf.url,
      authFlow: 'client_credentials',
      consumerKey: this.oauth.clients[0]!.consumerKey,
      consumerSecret: this.oauth.clients[0]!.consumerSecret,
      integrationUsername: 'tethr.api@example.com',
      namespace: '',
      eventTopic: '/event/Conversation_Closed__e',
      apiVersion: '66.0',
      channels: ['Case', 'MessagingSession', 'LiveChatTranscript'],
      createdAt: new Date().toISOString()
    };
    await writeBundle(this.bundlePath, bundle);
    return this;
  }

  /** The Tethr session id a record of this org is captured under (tethrSessionId's default). */
  sessionId(recordId: string): string {
    return tethrSessionId(this.orgId, recordId);
  }

  /** Revokes every Salesforce token issued so far (REST answers 401, Pub/Sub UNAUTHENTICATED). */
  revokeSalesforceTokens(): void {
    for (const token of this.oauth.issued) this.revoked.add(token);
    this.pubsub.expireSessions();
  }

  publish(fields: ClosedEventFields[]) {
    return this.pubsub.publish(fields.map((f) => closedEventRecord(f)));
  }

  get tethrEnv(): Record<string, string> {
    return {
      TETHR_API_URL: this.tethr.url,
      TETHR_API_CLIENT_ID: this.tethr.clientId,
      TETHR_API_CLIENT_SECRET: this.tethr.clientSecret
    };
  }

  /** Starts `relay` (or `backfill`) as a child process; stdout/stderr are collected. */
  spawn(command: 'relay' | 'backfill', args: string[], env: Record<string, string> = {}): RelayChild {
    const handle = spawnMain(
      [command, ...(args.includes('--connection') ? [] : ['--credentials', this.bundlePath]), ...args],
      { cwd: this.dir, env: { ...this.tethrEnv, ...env } }
    );
    const child = handle.process;
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return handle;
  }

  relayArgs(extra: string[] = []): string[] {
    return ['--pubsub-endpoint', this.pubsub.url, '--status-interval', '1', ...extra];
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all([this.sf.stop(), this.pubsub.stop(), this.tethr.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts the CLI (relay-main.ts, through tsx) as a child with `args`, in `cwd`, with `env` over
 * this process's environment and telemetry and auto-update off; stdout/stderr are collected.
 */
export function spawnMain(
  args: string[],
  options: { cwd: string; env?: Record<string, string> }
): RelayChild {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true' },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  return new RelayChild(child);
}

export class RelayChild {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(readonly process: ChildProcess) {
    process.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => process.on('exit', (code) => resolve(code)));
  }

  /** The JSON log lines received so far; a last line still arriving (no newline yet) is left out. */
  logs(): Array<Record<string, unknown>> {
    const complete = this.stderr.slice(0, this.stderr.lastIndexOf('\n') + 1);
    return complete
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Resolves once the relay's Subscribe reached the server (LATEST starts from that moment). */
  async waitForSubscriber(pubsub: FakePubSubServer, count = 1, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      () => pubsub.activeStreams >= count,
      timeoutMs,
      () => `no subscriber; stderr:\n${this.stderr.slice(-3000)}`
    );
  }

  /** Resolves when a log line satisfies `predicate` (or rejects after `timeoutMs`). */
  async waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      () => this.logs().some(predicate),
      timeoutMs,
      () => `no matching log line; stderr:\n${this.stderr.slice(-3000)}`
    );
  }
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  message: () => string = () => 'condition not met'
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Parsed lines; a line torn by kill -9 (never acknowledged, so redelivered) is skipped. */
export async function readNdjson(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const rows: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      rows.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // torn by a crash mid-write
    }
  }
  return rows;
}
