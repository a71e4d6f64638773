import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { SfError } from '@salesforce/core/sfError';
import { loadMessages } from '../shared/messages.ts';
import { isLoopbackHost } from '../shared/url-policy.ts';

const messages = loadMessages('pubsub-endpoint');

export const DEFAULT_PUBSUB_ENDPOINT = 'api.pubsub.salesforce.com:7443';

export interface PubSubEndpoint {
  /** host:port as gRPC wants it */
  target: string;
  tls: boolean;
}

/**
 * `http://host:port` is a plaintext channel (local test servers only, like every http URL we
 * accept); `https://host:port` or a bare `host:port` is TLS, checked against the system roots
 * (or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH).
 */
export function parsePubSubEndpoint(value: string = DEFAULT_PUBSUB_ENDPOINT): PubSubEndpoint {
  const hasScheme = /^[a-z]+:\/\//i.test(value);
  let url: URL;
  try {
    url = new URL(hasScheme ? value : `https://${value}`);
  } catch {
    throw badEndpoint(value);
  }
  if (url.pathname !== '/' && url.pathname !== '') throw badEndpoint(value);
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw messages.createError('error.InsecurePubSubEndpoint', [value], [url.host, url.host]);
    }
    return { target: `${url.hostname}:${url.port || '80'}`, tls: false };
  }
  if (url.protocol !== 'https:') throw badEndpoint(value);
  return { target: `${url.hostname}:${url.port || '443'}`, tls: true };
}

export function channelCredentials(endpoint: PubSubEndpoint): ChannelCredentials {
  return endpoint.tls ? credentials.createSsl() : credentials.createInsecure();
}

function badEndpoint(value: string): SfError {
  return messages.createError('error.InvalidPubSubEndpoint', [value], [DEFAULT_PUBSUB_ENDPOINT]);
}
