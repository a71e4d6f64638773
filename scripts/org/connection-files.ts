import { lstat, readFile } from 'node:fs/promises';
import { Decrypter, Encrypter, armor } from 'age-encryption';
import { holdsSecrets, parseConnectionFile, type ConnectionFile } from '../contracts/connection-file.ts';
import { isCredentialsBundle, parseBundle, type CredentialsBundle } from '../contracts/credentials-bundle.ts';
import {
  fromConnectionFile,
  fromCredentialsBundle,
  type OrgConnection
} from '../contracts/org-connection.ts';
import { loadMessages } from '../shared/messages.ts';
import { exposedMode, octalMode, writePrivateFileAtomic } from '../shared/private-file.ts';

// Reading and writing the files that connect an org to Tethr: the v2 connection file and the
// legacy v1 credentials bundle, plain JSON or age-encrypted. Files that hold secrets are written
// 0600 and refused when others can read them, as ssh refuses such keys: a secret that was
// readable by every user of a machine must be treated as leaked, not used silently.

const messages = loadMessages('connection-files');

const AGE_BINARY_MAGIC = 'age-encryption.org/v1\n';
const AGE_ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

export interface ReadOptions {
  /** an AGE-SECRET-KEY-1... identity; defaults to TETHR_AGE_IDENTITY / TETHR_AGE_IDENTITY_FILE */
  identity?: string;
  env?: NodeJS.ProcessEnv;
}

/** What a file held, before it is normalised: the commands that rewrite files need the original. */
export type ParsedFile =
  { kind: 'connection'; file: ConnectionFile } | { kind: 'bundle'; bundle: CredentialsBundle };

/** Reads a v2 connection file or a v1 credentials bundle and returns the org connection. */
export async function readConnection(path: string, options: ReadOptions = {}): Promise<OrgConnection> {
  const parsed = await readConnectionOrBundle(path, options);
  return parsed.kind === 'connection'
    ? fromConnectionFile(parsed.file)
    : fromCredentialsBundle(parsed.bundle);
}

/** Parses connection JSON held elsewhere (the relay service's tenant table, a test). */
export function parseConnection(data: unknown, source: string): OrgConnection {
  if (isCredentialsBundle(data)) return fromCredentialsBundle(parseBundle(data, source));
  return fromConnectionFile(parseConnectionFile(data, source));
}

export async function readConnectionOrBundle(path: string, options: ReadOptions = {}): Promise<ParsedFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw messages.createError('error.ConnectionFileUnreadable', [path, code]);
  }
  const encrypted = encryptedPayload(bytes);
  let text: string;
  if (encrypted) {
    const identity = await loadIdentity(options.identity, path, options.env ?? process.env);
    const decrypter = new Decrypter();
    try {
      decrypter.addIdentity(identity);
      text = await decrypter.decrypt(encrypted, 'text');
    } catch {
      throw messages.createError('error.AgeDecryptFailed', [path]);
    }
  } else {
    text = bytes.toString('utf8');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The parser's message can quote file content (secrets), so it is not passed on.
    throw messages.createError('error.NotJson', [path]);
  }
  const parsed: ParsedFile = isCredentialsBundle(data)
    ? { kind: 'bundle', bundle: parseBundle(data, path) }
    : { kind: 'connection', file: parseConnectionFile(data, path) };
  const secret = parsed.kind === 'bundle' || holdsSecrets(parsed.file.app);
  // An encrypted file is safe to leave readable; plain secrets are not.
  if (secret && !encrypted) await refuseExposed(path, 'error.SecretFileExposed');
  return parsed;
}

/** Refuses a file that group or others can read; `key` names the message that explains why. */
export async function refuseExposed(path: string, key = 'error.SecretFileExposed'): Promise<void> {
  const exposed = await exposedMode(path).catch(() => undefined);
  if (exposed) throw messages.createError(key, [path, octalMode(exposed.mode)], [path]);
}

export interface WriteOptions {
  /** an age recipient (age1...): the file is then written age-encrypted and ASCII-armored */
  encryptTo?: string;
}

/** Writes a connection file (or legacy bundle), mode 0600 from the first byte, atomically. */
export async function writeConnectionFile(
  path: string,
  content: ConnectionFile | CredentialsBundle,
  options: WriteOptions = {}
): Promise<void> {
  // Never write what we would refuse to read.
  if (isCredentialsBundle(content)) parseBundle(content, 'being written');
  else parseConnectionFile(content, 'being written');
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (existing && !existing.isFile()) throw messages.createError('error.UnsafeOutputPath', [path]);
  const json = `${JSON.stringify(content, null, 2)}\n`;
  let bytes: string | Uint8Array = json;
  if (options.encryptTo !== undefined) {
    const encrypter = new Encrypter();
    encrypter.addRecipient(assertAgeRecipient(options.encryptTo));
    // Armored text survives e-mail and chat tools that mangle binary attachments.
    bytes = armor.encode(await encrypter.encrypt(json));
  }
  try {
    await writePrivateFileAtomic(path, bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw messages.createError('error.WriteFailed', [path, code]);
  }
}

/** Checks an --encrypt-to value before anything touches the org; returns it trimmed. */
export function assertAgeRecipient(value: string): string {
  const recipient = value.trim();
  if (!recipient.startsWith('age1')) throw messages.createError('error.InvalidAgeRecipient');
  try {
    new Encrypter().addRecipient(recipient);
  } catch {
    throw messages.createError('error.MalformedAgeRecipient');
  }
  return recipient;
}

function encryptedPayload(bytes: Buffer): Uint8Array | undefined {
  const head = bytes.subarray(0, 64).toString('latin1');
  if (head.startsWith(AGE_BINARY_MAGIC)) return new Uint8Array(bytes);
  if (head.trimStart().startsWith(AGE_ARMOR_BEGIN)) return armor.decode(bytes.toString('utf8'));
  return undefined;
}

async function loadIdentity(
  explicit: string | undefined,
  path: string,
  env: NodeJS.ProcessEnv
): Promise<string> {
  if (explicit) return explicit.trim();
  if (env.TETHR_AGE_IDENTITY) return env.TETHR_AGE_IDENTITY.trim();
  const file = env.TETHR_AGE_IDENTITY_FILE;
  if (!file) throw messages.createError('error.AgeIdentityMissing', [path]);
  const text = await readFile(file, 'utf8').catch(() => {
    throw messages.createError('error.AgeIdentityUnreadable');
  });
  await refuseExposed(file, 'error.AgeIdentityExposed');
  // age identity files hold comment lines (# created: ..., # public key: ...) around the key.
  const key = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line.startsWith('AGE-SECRET-KEY-'));
  if (!key) throw messages.createError('error.AgeIdentityEmpty');
  return key;
}

/** Default file names: the connection file is safe to e-mail only on the packaged path. */
export function defaultConnectionPath(orgId: string, encrypted: boolean): string {
  return `tethr-${orgId}.connection.json${encrypted ? '.age' : ''}`;
}
