import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request exactly as it reached the fake, for assertions on order, headers and bodies. */
export interface RecordedRequest {
  method: string;
  /** path without the query string, e.g. /services/data/v66.0/query */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** the route's name, or "unmatched" */
  route: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  xml?: string;
}

export interface RouteMatch {
  request: RecordedRequest;
  /** named groups of the path pattern */
  params: Record<string, string>;
}

export type RouteHandler = (match: RouteMatch) => Reply | Promise<Reply>;

interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/**
 * A local stand-in for a Salesforce org: generic routing plus a log of every request.
 * Routes registered later win, so a test can override a default endpoint (e.g. make the token
 * endpoint fail) without touching the others. Unmatched requests answer 404 in Salesforce's
 * REST error shape and stay in the log so tests can see what the code tried to call.
 */
export class FakeSalesforceServer {
  public readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  private baseUrl = '';

  public get url(): string {
    return this.baseUrl;
  }

  /** `path` is a RegExp, or a string where `:name` matches one path segment. */
  public route(method: string, path: string | RegExp, handler: RouteHandler, name?: string): this {
    const pattern =
      typeof path === 'string'
        ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`)
        : path;
    this.routes.unshift({
      name: name ?? `${method} ${String(path)}`,
      method: method.toUpperCase(),
      pattern,
      handler
    });
    return this;
  }

  /** Removes the routes registered under `name`, so an earlier (default) route answers again. */
  public removeRoute(name: string): void {
    for (let i = this.routes.length - 1; i >= 0; i -= 1)
      if (this.routes[i]!.name === name) this.routes.splice(i, 1);
  }

  public async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  public async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Requests whose route name is `name` (or whose path matches a RegExp). */
  public find(filter: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) =>
      typeof filter === 'string' ? r.route === filter : filter.test(r.path)
    );
  }

  public clearLog(): void {
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.baseUrl);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const recorded: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      route: 'unmatched'
    };
    this.requests.push(recorded);

    let reply: Reply;
    const route = this.routes.find((r) => r.method === recorded.method && r.pattern.test(recorded.path));
    if (!route) {
      reply = {
        status: 404,
        json: [
          { errorCode: 'NOT_FOUND', message: `The fake has no route for ${recorded.method} ${recorded.path}` }
        ]
      };
    } else {
      recorded.route = route.name;
      const params = { ...(route.pattern.exec(recorded.path)?.groups ?? {}) };
      try {
        reply = await route.handler({ request: recorded, params });
      } catch (error) {
        reply = {
          status: 500,
          json: [{ errorCode: 'UNKNOWN_EXCEPTION', message: (error as Error).message }]
        };
      }
    }
    send(res, reply);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  let body = '';
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json;charset=UTF-8';
  } else if (reply.xml !== undefined) {
    body = reply.xml;
    headers['content-type'] ??= 'text/xml;charset=UTF-8';
  } else if (reply.text !== undefined) {
    body = reply.text;
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}
