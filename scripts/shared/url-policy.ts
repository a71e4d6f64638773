import { SfError } from '@salesforce/core/sfError';

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
export function assertAllowedUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SfError(`${what} is not a valid URL.`, 'InvalidUrl', [
      `Give an absolute URL such as https://yourcompany.my.salesforce.com.`
    ]);
  }
  if (url.username || url.password) {
    throw new SfError(`${what} must not contain a user name or password.`, 'InvalidUrl', [
      'Remove the "user:password@" part from the URL; credentials travel in the request, not the URL.'
    ]);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new SfError(
    `${what} must use https (plain http is accepted only for 127.0.0.1, localhost or [::1]); got ${url.protocol}//${url.host}.`,
    'InsecureUrl',
    [`Use the https address, e.g. https://${url.host}.`]
  );
}
