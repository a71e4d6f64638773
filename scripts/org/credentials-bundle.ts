import { BUNDLE_SCHEMA, parseBundle, type CredentialsBundle } from '../contracts/credentials-bundle.ts';
import { redactKey, REDACTED } from '../contracts/connection-file.ts';
import { loadMessages } from '../shared/messages.ts';
import { readConnectionOrBundle, writeConnectionFile } from './connection-files.ts';

// Transitional: the v1 bundle's old entry points. The schema lives in
// scripts/contracts/credentials-bundle.ts and the file handling in connection-files.ts.

export { BUNDLE_SCHEMA, parseBundle, type CredentialsBundle } from '../contracts/credentials-bundle.ts';
export { CHANNELS, type Channel } from '../contracts/channels.ts';
export { eventTopicFor } from '../contracts/api-names.ts';
export { assertAgeRecipient } from './connection-files.ts';
export { redactKey } from '../contracts/connection-file.ts';
export type AuthFlow = CredentialsBundle['authFlow'];

const messages = loadMessages('connection-files');

/** Reads a v1 bundle (plain or age-encrypted); a v2 connection file is refused with the flag to use. */
export async function readBundle(
  path: string,
  options: { identity?: string } = {}
): Promise<CredentialsBundle> {
  const parsed = await readConnectionOrBundle(path, options);
  if (parsed.kind !== 'bundle') throw messages.createError('error.NotABundle', [path, BUNDLE_SCHEMA]);
  return parsed.bundle;
}

export async function writeBundle(
  path: string,
  bundle: CredentialsBundle,
  options: { encryptTo?: string } = {}
): Promise<void> {
  parseBundle(bundle, 'being written');
  await writeConnectionFile(path, bundle, options);
}

/** A copy safe to print or log: secrets replaced, the consumer key shortened to a recognisable prefix. */
export function redactBundle(bundle: CredentialsBundle): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...bundle, channels: [...bundle.channels] };
  copy.consumerKey = redactKey(bundle.consumerKey);
  for (const field of ['consumerSecret', 'password', 'securityToken']) {
    if (copy[field] !== undefined) copy[field] = REDACTED;
  }
  return copy;
}
