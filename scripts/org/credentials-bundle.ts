import { lstat, readFile } from 'node:fs/promises';
import { Decrypter, Encrypter, armor } from 'age-encryption';
import { SfError } from '@salesforce/core/sfError';
import { writePrivateFileAtomic } from '../shared/private-file.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';

export const BUNDLE_SCHEMA = 'tethr-salesforce-credentials/v1';

export type Channel = 'Case' | 'MessagingSession' | 'LiveChatTranscript';
export const CHANNELS: readonly Channel[] = ['Case', 'MessagingSession', 'LiveChatTranscript'];

export type AuthFlow = 'client_credentials' | 'password';

export interface CredentialsBundle {
  schema: typeof BUNDLE_SCHEMA;
  orgId: string;
  myDomainUrl: string;
  authFlow: AuthFlow;
  consumerKey: string;
  consumerSecret: string;
  integrationUsername: string;
  /** legacy username-password flow only */
  password?: string;
  /** legacy username-password flow only; may be empty when the org trusts the caller's IP */
  securityToken?: string;
  namespace: 'tethr' | '';
  eventTopic: string;
  apiVersion: string;
  channels: Channel[];
  createdAt: string;
}

const SECRET_FIELDS = ['consumerSecret', 'password', 'securityToken'] as const;
const KNOWN_FIELDS = new Set([
  'schema',
  'orgId',
  'myDomainUrl',
  'authFlow',
  'consumerKey',
  'consumerSecret',
  'integrationUsername',
  'password',
  'securityToken',
  'namespace',
  'eventTopic',
  'apiVersion',
  'channels',
  'createdAt'
]);

const AGE_BINARY_MAGIC = 'age-encryption.org/v1\n';
const AGE_ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

function invalid(source: string, problem: string, action?: string): SfError {
  return new SfError(`Credentials bundle ${source} is invalid: ${problem}`, 'InvalidCredentialsBundle', [
    action ?? 'Create a new bundle with `tethr-sf credentials --target-org <org> --output <file>`.'
  ]);
}

function requireString(obj: Record<string, unknown>, field: string, source: string, secret = false): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.trim() === '') {
    // Secret values are never quoted back, not even their type or length.
    throw invalid(source, secret ? `${field} is missing or empty.` : `${field} must be a non-empty string.`);
  }
  return value;
}

/** Validates untrusted JSON (from a file, an env var or an API) and returns a typed bundle. */
export function parseBundle(data: unknown, source: string): CredentialsBundle {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalid(source, 'expected a JSON object.');
  }
  const obj = data as Record<string, unknown>;
  if (obj.schema !== BUNDLE_SCHEMA) {
    throw invalid(source, `schema must be "${BUNDLE_SCHEMA}".`);
  }
  const unknownFields = Object.keys(obj).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknownFields.length > 0) {
    throw invalid(source, `unknown field(s): ${unknownFields.join(', ')}.`);
  }

  const orgId = requireString(obj, 'orgId', source);
  if (!/^00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/.test(orgId)) {
    throw invalid(source, 'orgId must be a 15- or 18-character Salesforce org id starting with 00D.');
  }
  const myDomainUrlRaw = requireString(obj, 'myDomainUrl', source);
  const myDomain = assertAllowedUrl(myDomainUrlRaw, `myDomainUrl in ${source}`);
  if (myDomain.pathname !== '/' || myDomain.search || myDomain.hash) {
    throw invalid(source, 'myDomainUrl must be the bare My Domain origin (no path or query).');
  }

  const authFlow = obj.authFlow;
  if (authFlow !== 'client_credentials' && authFlow !== 'password') {
    throw invalid(source, 'authFlow must be "client_credentials" or "password".');
  }
  const consumerKey = requireString(obj, 'consumerKey', source, true);
  const consumerSecret = requireString(obj, 'consumerSecret', source, true);
  const integrationUsername = requireString(obj, 'integrationUsername', source);

  let password: string | undefined;
  let securityToken: string | undefined;
  if (authFlow === 'password') {
    password = requireString(obj, 'password', source, true);
    if (obj.securityToken !== undefined && typeof obj.securityToken !== 'string') {
      throw invalid(source, 'securityToken must be a string.');
    }
    securityToken = obj.securityToken as string | undefined;
  } else if (obj.password !== undefined || obj.securityToken !== undefined) {
    throw invalid(
      source,
      'password and securityToken belong only to the legacy authFlow "password".',
      'Remove them from the bundle: the client credentials flow must not carry a user password.'
    );
  }

  const namespace = obj.namespace;
  if (namespace !== 'tethr' && namespace !== '') {
    throw invalid(source, 'namespace must be "tethr" (installed package) or "" (deployed unpackaged).');
  }
  const eventTopic = requireString(obj, 'eventTopic', source);
  const expectedTopic = eventTopicFor(namespace);
  if (eventTopic !== expectedTopic) {
    throw invalid(source, `eventTopic must be "${expectedTopic}" for namespace "${namespace}".`);
  }
  const apiVersion = requireString(obj, 'apiVersion', source);
  if (!/^\d{2,3}\.0$/.test(apiVersion)) {
    throw invalid(source, 'apiVersion must look like "66.0".');
  }
  const channels = obj.channels;
  if (!Array.isArray(channels) || channels.length === 0) {
    throw invalid(source, 'channels must be a non-empty array.');
  }
  for (const channel of channels) {
    if (!CHANNELS.includes(channel as Channel)) {
      throw invalid(source, `channels may contain only ${CHANNELS.join(', ')}.`);
    }
  }
  if (new Set(channels).size !== channels.length) {
    throw invalid(source, 'channels must not repeat a channel.');
  }
  const createdAt = requireString(obj, 'createdAt', source);
  if (Number.isNaN(Date.parse(createdAt)) || !/^\d{4}-\d{2}-\d{2}T/.test(createdAt)) {
    throw invalid(source, 'createdAt must be an ISO 8601 date-time.');
  }

  const bundle: CredentialsBundle = {
    schema: BUNDLE_SCHEMA,
    orgId,
    myDomainUrl: myDomain.origin,
    authFlow,
    consumerKey,
    consumerSecret,
    integrationUsername,
    namespace,
    eventTopic,
    apiVersion,
    channels: [...(channels as Channel[])],
    createdAt
  };
  if (password !== undefined) bundle.password = password;
  if (securityToken !== undefined) bundle.securityToken = securityToken;
  return bundle;
}

export function eventTopicFor(namespace: 'tethr' | ''): string {
  return namespace ? `/event/${namespace}__Conversation_Closed__e` : '/event/Conversation_Closed__e';
}

async function loadIdentity(explicit: string | undefined, path: string): Promise<string> {
  if (explicit) return explicit.trim();
  const fromEnv = process.env.TETHR_AGE_IDENTITY;
  if (fromEnv) return fromEnv.trim();
  const file = process.env.TETHR_AGE_IDENTITY_FILE;
  if (file) {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new SfError(
        `Cannot read the age identity file named by TETHR_AGE_IDENTITY_FILE.`,
        'AgeIdentityUnreadable',
        ['Check that TETHR_AGE_IDENTITY_FILE points to a readable file made by age-keygen.']
      );
    });
    // age identity files hold comment lines (# created: ..., # public key: ...) around the key.
    const key = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line.startsWith('AGE-SECRET-KEY-'));
    if (key) return key;
    throw new SfError('TETHR_AGE_IDENTITY_FILE holds no AGE-SECRET-KEY line.', 'AgeIdentityUnreadable', [
      'Point TETHR_AGE_IDENTITY_FILE to the identity file whose public key the bundle was encrypted to.'
    ]);
  }
  throw new SfError(
    `Credentials bundle ${path} is age-encrypted and no identity was given.`,
    'AgeIdentityMissing',
    [
      'Set TETHR_AGE_IDENTITY to the AGE-SECRET-KEY-1... identity, or TETHR_AGE_IDENTITY_FILE to the file holding it.'
    ]
  );
}

function encryptedPayload(bytes: Buffer): Uint8Array | undefined {
  const head = bytes.subarray(0, 64).toString('latin1');
  if (head.startsWith(AGE_BINARY_MAGIC)) return new Uint8Array(bytes);
  if (head.trimStart().startsWith(AGE_ARMOR_BEGIN)) return armor.decode(bytes.toString('utf8'));
  return undefined;
}

/** Reads a bundle written by `writeBundle` (plain JSON, or age-encrypted in binary or armored form). */
export async function readBundle(
  path: string,
  options: { identity?: string } = {}
): Promise<CredentialsBundle> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SfError(`Cannot read credentials bundle ${path} (${code}).`, 'CredentialsBundleUnreadable', [
      'Check the path, or create the bundle with `tethr-sf credentials --target-org <org> --output <file>`.'
    ]);
  }
  let text: string;
  const encrypted = encryptedPayload(bytes);
  if (encrypted) {
    const identity = await loadIdentity(options.identity, path);
    const decrypter = new Decrypter();
    try {
      decrypter.addIdentity(identity);
      text = await decrypter.decrypt(encrypted, 'text');
    } catch {
      throw new SfError(
        `Cannot decrypt credentials bundle ${path} with the given age identity.`,
        'AgeDecryptFailed',
        [
          'Use the identity whose recipient (age1...) the bundle was encrypted to; ask the sender which recipient they used.'
        ]
      );
    }
  } else {
    text = bytes.toString('utf8');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The parser's message can quote file content (secrets), so it is not passed on.
    throw invalid(path, 'it is not valid JSON.');
  }
  return parseBundle(data, path);
}

/**
 * Checks an --encrypt-to value and returns it trimmed. Commands call it before they touch the org,
 * so a mistyped recipient fails at once instead of after every other step has run.
 */
export function assertAgeRecipient(value: string): string {
  const recipient = value.trim();
  if (!recipient.startsWith('age1')) {
    throw new SfError('--encrypt-to must be an age recipient (age1...).', 'InvalidAgeRecipient', [
      'Ask Tethr for their age public key (it starts with "age1"), or run age-keygen and pass its public key.'
    ]);
  }
  try {
    new Encrypter().addRecipient(recipient);
  } catch {
    throw new SfError('--encrypt-to is not a valid age recipient.', 'InvalidAgeRecipient', [
      'Copy the whole "age1..." public key exactly as age-keygen printed it.'
    ]);
  }
  return recipient;
}

/** Writes the bundle with mode 0600 from the moment the file exists, then renames it into place. */
export async function writeBundle(
  path: string,
  bundle: CredentialsBundle,
  options: { encryptTo?: string } = {}
): Promise<void> {
  parseBundle(bundle, 'being written');
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    // No file there yet (or a path part is not a directory): writing creates it or says why it cannot.
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (existing && !existing.isFile()) {
    throw new SfError(
      `Refusing to write credentials to ${path}: it exists and is not a regular file.`,
      'UnsafeBundlePath',
      ['Choose a new file name; symbolic links, devices and directories are never overwritten.']
    );
  }

  const json = `${JSON.stringify(bundle, null, 2)}\n`;
  let content: string | Uint8Array = json;
  if (options.encryptTo !== undefined) {
    const encrypter = new Encrypter();
    encrypter.addRecipient(assertAgeRecipient(options.encryptTo));
    // Armored text survives e-mail and chat tools that mangle binary attachments.
    content = armor.encode(await encrypter.encrypt(json));
  }

  try {
    await writePrivateFileAtomic(path, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SfError(`Cannot write the credentials bundle to ${path} (${code}).`, 'BundleWriteFailed', [
      'Choose a file in a directory you can write to with --output; no bundle was written.'
    ]);
  }
}

const REDACTED = '[redacted]';

/** A copy safe to print or log: secrets replaced, the consumer key shortened to a recognisable prefix. */
export function redactBundle(bundle: CredentialsBundle): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...bundle, channels: [...bundle.channels] };
  copy.consumerKey = redactKey(bundle.consumerKey);
  for (const field of SECRET_FIELDS) {
    if (copy[field] !== undefined) copy[field] = REDACTED;
  }
  return copy;
}

export function redactKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 6)}…${REDACTED}` : REDACTED;
}
