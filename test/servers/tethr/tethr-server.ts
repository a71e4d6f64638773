import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionStatus, SessionStatusValue } from '../../../scripts/tethr/capture-status.ts';
import { validateCase, validateChat } from './capture-validation.ts';
import { validateStatusRequest } from './status-validation.ts';

// A local Tethr: POST /Token (client credentials, bearer ~30 min), the capture endpoints
// /capture/v2/chat and /capture/v2/case, and the status API (GET /capture/v2/status/{sessionId},
// POST /capture/v2/status) in the SDK's shapes. Captures are stored by sessionId (a re-post
// replaces, as Tethr's sessionId makes captures idempotent); a stored capture reports
// `captureStatus` unless `sessionStatuses` says otherwise, anything else NotFound. Tests queue
// faults (status codes, stalls) and can revoke every issued token to force a 401.

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
  /** the status a session reports, whether or not it was captured (e.g. InProgress, Excluded) */
  readonly sessionStatuses = new Map<string, SessionStatusValue>();
  /** what a stored capture reports when `sessionStatuses` does not say */
  captureStatus: SessionStatusValue = 'Complete';
  /** sessions the bulk answer leaves out (the client must read them as Unknown) */
  readonly omitFromStatus = new Set<string>();
  /** faults for the status endpoints, separate from the capture faults */
  readonly statusFaults: TethrFault[] = [];
  /** refuse bulk requests with more session ids than this (no limit is published: a test knob) */
  maxStatusBatch: number | undefined;
  /** the session ids of every bulk status request, in order */
  readonly statusBatches: string[][] = [];
  tokenRequests = 0;
  captureRequests = 0;
  /** POST /capture/v2/status calls (answered or refused) */
  statusRequests = 0;
  /** GET /capture/v2/status/{sessionId} calls */
  statusLookups = 0;
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
    if (req.method === 'POST' && path === '/capture/v2/status') return this.#bulkStatus(req, body, res);
    const lookup = /^\/capture\/v2\/status\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && lookup) return this.#statusLookup(req, lookup[1]!, res);
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

  /** What Tethr says about a session, in the SDK's SessionStatus shape. */
  statusOf(sessionId: string): SessionStatus {
    const captured = this.captures.has(sessionId);
    const status = this.sessionStatuses.get(sessionId) ?? (captured ? this.captureStatus : 'NotFound');
    return { status, id: captured ? `interaction-${sessionId}` : '', sessionId };
  }

  async #bulkStatus(req: IncomingMessage, text: string, res: ServerResponse): Promise<void> {
    this.statusRequests += 1;
    if (!(await this.#admit(req, res, this.statusFaults))) return;
    const checked = validateStatusRequest(text, this.maxStatusBatch);
    if ('problems' in checked)
      return reply(res, 400, { message: 'The request is invalid.', problems: checked.problems });
    this.statusBatches.push(checked.sessionIds);
    const sessions = checked.sessionIds
      .filter((id) => !this.omitFromStatus.has(id))
      .map((id) => this.statusOf(id));
    reply(res, 200, { sessions });
  }

  async #statusLookup(req: IncomingMessage, segment: string, res: ServerResponse): Promise<void> {
    this.statusLookups += 1;
    if (!(await this.#admit(req, res, this.statusFaults))) return;
    let sessionId: string;
    try {
      sessionId = decodeURIComponent(segment);
    } catch {
      return reply(res, 400, { message: 'The request is invalid.' });
    }
    const status = this.statusOf(sessionId);
    // The SDK's GetAsync turns a 404 into KeyNotFoundException("The requested resource was not
    // found in Tethr"): an unknown session is answered that way here.
    if (status.status === 'NotFound' && !this.sessionStatuses.has(sessionId))
      return reply(res, 404, { message: 'The requested resource was not found.' });
    reply(res, 200, status);
  }

  /** Bearer check, then the next queued fault; false when the request was answered already. */
  async #admit(req: IncomingMessage, res: ServerResponse, faults: TethrFault[]): Promise<boolean> {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !this.#valid.has(bearer)) {
      this.unauthorized += 1;
      reply(res, 401, { message: 'Authorization has been denied for this request.' });
      return false;
    }
    const fault = faults.shift();
    if (fault?.delayMs) {
      this.#stalled.add(res);
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      this.#stalled.delete(res);
      if (res.destroyed) return false;
    }
    if (fault?.status) {
      reply(res, fault.status, { message: 'injected fault' });
      return false;
    }
    return true;
  }

  async #capture(path: string, req: IncomingMessage, text: string, res: ServerResponse): Promise<void> {
    this.captureRequests += 1;
    if (!(await this.#admit(req, res, this.faults))) return;
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
