import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadMessages } from '../shared/messages.ts';

const messages = loadMessages('preview');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the preview on 127.0.0.1: `/` is the page, every other path is looked up under the
 * mounted folders (URL prefix -> folder). Nothing outside a mounted folder is ever served.
 */
export async function serveStatic(
  page: string,
  mounts: Record<string, string>,
  port = 0
): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (pathname === '/' || pathname === '/index.html') {
      response.writeHead(200, { 'content-type': CONTENT_TYPES['.html']!, 'cache-control': 'no-store' });
      response.end(page);
      return;
    }
    const file = resolveMounted(pathname, mounts);
    if (!file) {
      response.writeHead(404).end('Not found');
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) {
          response.writeHead(404).end('Not found');
          return;
        }
        response.writeHead(200, {
          'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-store'
        });
        createReadStream(file).pipe(response);
      },
      () => response.writeHead(404).end('Not found')
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, port)));
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  };
}

/** A port that cannot be had, as the message that says what to do (not a raw EADDRINUSE stack). */
function listenError(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === 'EADDRINUSE') return messages.createError('error.PortInUse', [port], [port + 1], error);
  if (error.code === 'EACCES') return messages.createError('error.PortNotAllowed', [port], [], error);
  return error;
}

function resolveMounted(pathname: string, mounts: Record<string, string>): string | undefined {
  for (const [prefix, folder] of Object.entries(mounts)) {
    if (pathname.startsWith(prefix)) {
      const file = path.resolve(folder, '.' + pathname.slice(prefix.length - 1));
      return file.startsWith(path.resolve(folder) + path.sep) ? file : undefined;
    }
  }
  return undefined;
}
