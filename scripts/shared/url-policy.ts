import { loadMessages } from './messages.ts';

const messages = loadMessages('url-policy');

// Plain http is only acceptable when the traffic never leaves the machine (local test servers);
// anything that can cross a network must be TLS because tokens and secrets travel over it.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/**
 * Parses `value` and accepts it only if it is https, or http to a loopback host.
 * `what` names the setting in the error (e.g. "myDomainUrl in bundle ./x.json").
 */
export function assertAllowedUrl(
  value: string,
  what: string,
  example = 'https://yourcompany.my.salesforce.com'
): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw messages.createError('error.InvalidUrl', [what], [example]);
  }
  if (url.username || url.password) throw messages.createError('error.UrlWithCredentials', [what]);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw messages.createError('error.InsecureUrl', [what, `${url.protocol}//${url.host}`], [url.host]);
}
