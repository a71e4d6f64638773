import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateCase, validateChat } from './capture-validation.ts';

// A local Tethr: POST /Token (client credentials, bearer ~30 min) and the capture endpoints
// /capture/v2/chat and /capture/v2/case. Captures are stored by sessionId (a re-post replaces,
// as Tethr's sessionId makes captures idempotent). Tests queue faults (status codes, stalls) and
// can revoke every issued token to force a 401.

export interface TethrFault {
  status?: number;
  /** hold the response this long (longer than the client's timeout = a timeout) */
  delayMs?: number;
}

export interface StoredCapture {
  path: string;
  body: Record<string, unknown>;
  posts: number;
}

export class FakeTethrServer {
  readonly captures = new Map<string, StoredCapture>();
  readonly rejected: Array<{ sessionId: unknown; problems: string[] }> = [];
  readonly faults: TethrFault[] = [];
  /** sessionIds answered 400 whatever the body (a payload Tethr refuses) */
  readonly refuseSessionIds = new Set<string>();
  tokenRequests = 0;
  captureRequests = 0;
  unauthorized = 0;
  #valid = new Set<string>();
  #server: Server | undefined;
  #stalled = new Set<ServerResponse>();
  url = '';

  constructor(
    readonly clientId = 'tethr-client',
    readonly clientSecret = 'tethr-secret-value'
  ) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#stalled) res.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  revokeTokens(): void {
    this.#valid.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (req.method === 'POST' && path === '/Token') return this.#token(body, res);
    if (req.method === 'POST' && (path === '/capture/v2/chat' || path === '/capture/v2/case'))
      return this.#capture(path, req, body, res);
    reply(res, 404, { message: `no route ${req.method} ${path}` });
  }

  #token(body: string, res: ServerResponse): void {
    this.tokenRequests += 1;
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials')
      return reply(res, 400, { error: 'unsupported_grant_type' });
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      return reply(res, 400, { error: 'invalid_client' });
    }
    const token = `tethr-${randomUUID()}`;
    this.#valid.add(token);
    reply(res, 200, { access_token: token, token_type: 'bearer', expires_in: 1799 });
  }

  async #capture(path: string, req: IncomingMessage, text: string, res: ServerResponse): Promise<void> {
    this.captureRequests += 1;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !this.#valid.has(bearer)) {
      this.unauthorized += 1;
      return reply(res, 401, { message: 'Authorization has been denied for this request.' });
    }
    const fault = this.faults.shift();
    if (fault?.delayMs) {
      this.#stalled.add(res);
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      this.#stalled.delete(res);
      if (res.destroyed) return;
    }
    if (fault?.status) return reply(res, fault.status, { message: 'injected fault' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return reply(res, 400, { message: 'body is not JSON' });
    }
    const problems = path.endsWith('/chat') ? validateChat(body) : validateCase(body);
    if (typeof body.sessionId === 'string' && this.refuseSessionIds.has(body.sessionId))
      problems.push('refused by the test');
    if (problems.length > 0) {
      this.rejected.push({ sessionId: body.sessionId, problems });
      return reply(res, 400, { message: 'The request is invalid.', problems });
    }
    const sessionId = body.sessionId as string;
    const previous = this.captures.get(sessionId);
    this.captures.set(sessionId, { path, body, posts: (previous?.posts ?? 0) + 1 });
    reply(res, 200, { id: `interaction-${sessionId}` });
  }
}

function reply(res: ServerResponse, status: number, json: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}
