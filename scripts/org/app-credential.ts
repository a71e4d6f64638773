import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { AuthFlow } from '../contracts/connection-file.ts';
import type { OrgConnection } from '../contracts/org-connection.ts';
import { loadMessages } from '../shared/messages.ts';
import { octalMode } from '../shared/private-file.ts';

// Which credential signs an org's integration user in. On the packaged path the External Client
// App has ONE consumer, in Tethr's Dev Hub, shared by every subscriber org: Tethr holds its key
// and either its secret (client credentials) or the private key of its certificate (JWT bearer).
// That credential is read once, from the environment, never from flags (shell history, process
// lists) and never from a connection file (which the customer wrote). Local and legacy apps
// belong to the org, so their consumer travels in the org's own connection file.

const messages = loadMessages('app-credential');

export const APP_CREDENTIAL_ENV = [
  'TETHR_SF_CONSUMER_KEY',
  'TETHR_SF_CONSUMER_SECRET',
  'TETHR_SF_JWT_KEY_FILE'
] as const;

/** The packaged app's credential as Tethr holds it. */
export interface TethrAppCredential {
  consumerKey: string;
  consumerSecret?: string;
  /** the JWT signing key, parsed once; never printed */
  jwtKey?: KeyObject;
  /** where the key came from, for messages (the path, never the key) */
  jwtKeyFile?: string;
}

/**
 * Reads TETHR_SF_CONSUMER_KEY with TETHR_SF_CONSUMER_SECRET and/or TETHR_SF_JWT_KEY_FILE.
 * Undefined when none is set (a local or legacy connection does not need it); an error when the
 * set is incomplete or the key file is unusable, so a typo fails at start, not at the first event.
 */
export function tethrAppCredentialFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { requireConsumerKey?: boolean } = {}
): TethrAppCredential | undefined {
  const key = env.TETHR_SF_CONSUMER_KEY?.trim() ?? '';
  const secret = env.TETHR_SF_CONSUMER_SECRET?.trim();
  const keyFile = env.TETHR_SF_JWT_KEY_FILE?.trim();
  if (!key && !secret && !keyFile) return undefined;
  if (!key && options.requireConsumerKey !== false) throw messages.createError('error.ConsumerKeyMissing');
  if (!secret && !keyFile) throw messages.createError('error.AppSecretMissing');
  const credential: TethrAppCredential = { consumerKey: key };
  if (secret) credential.consumerSecret = secret;
  if (keyFile) {
    credential.jwtKey = readJwtKey(keyFile);
    credential.jwtKeyFile = keyFile;
  }
  return credential;
}

/** Loads a PEM private key, refusing one that other users can read (as ssh does). */
export function readJwtKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw messages.createError('error.JwtKeyUnreadable', [
      path,
      (error as NodeJS.ErrnoException).code ?? 'error'
    ]);
  }
  if (process.platform !== 'win32') {
    // Synchronous on purpose: the credential is read once at start, before anything else runs.
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw messages.createError('error.JwtKeyExposed', [path, octalMode(mode)], [path]);
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return key;
  } catch {
    // The key's content is never quoted back.
    throw messages.createError('error.JwtKeyInvalid', [path]);
  }
}

/** The exact credential one sign-in uses. */
export type FlowCredential =
  | { flow: 'client_credentials'; consumerKey: string; consumerSecret: string }
  | { flow: 'jwt_bearer'; consumerKey: string; key: KeyObject; username: string; audience: string }
  | {
      flow: 'password';
      consumerKey: string;
      consumerSecret: string;
      username: string;
      password: string;
      securityToken: string;
    };

export const PRODUCTION_LOGIN = 'https://login.salesforce.com';
export const SANDBOX_LOGIN = 'https://test.salesforce.com';

/**
 * The JWT `aud` claim: Salesforce's login host, test.salesforce.com for sandboxes
 * (help: sf.remoteaccess_oauth_jwt_flow). The assertion is still posted to the org's My Domain.
 */
export function jwtAudience(connection: Pick<OrgConnection, 'isSandbox'>): string {
  return connection.isSandbox ? SANDBOX_LOGIN : PRODUCTION_LOGIN;
}

/**
 * Combines an org connection with Tethr's app credential into the credential of its sign-in
 * flow. Missing pieces are named with the variable or file that supplies them.
 */
export function credentialFor(
  connection: OrgConnection,
  app: TethrAppCredential | undefined
): FlowCredential {
  const own = connection.fileSecrets;
  const flow: AuthFlow = connection.authFlow;
  if (connection.app === 'packaged' && own) throw messages.createError('error.PackagedWithFileSecrets');
  const consumerKey = own?.consumerKey ?? (app?.consumerKey || undefined);
  if (!consumerKey) throw messages.createError('error.PackagedNeedsAppCredential', [connection.orgId, flow]);
  if (flow === 'client_credentials') {
    const consumerSecret = own?.consumerSecret ?? (own ? undefined : app?.consumerSecret);
    if (!consumerSecret) {
      throw own
        ? messages.createError('error.FileSecretMissing', ['consumerSecret'])
        : messages.createError('error.ClientSecretMissing', [connection.orgId]);
    }
    return { flow, consumerKey, consumerSecret };
  }
  if (flow === 'jwt_bearer') {
    // The private key is always Tethr's: it never sits in a customer's connection file.
    if (!app?.jwtKey) throw messages.createError('error.JwtKeyMissingForFlow', [connection.orgId]);
    return {
      flow,
      consumerKey,
      key: app.jwtKey,
      username: connection.integrationUsername,
      audience: jwtAudience(connection)
    };
  }
  if (!own?.consumerSecret || own.password === undefined)
    throw messages.createError('error.FileSecretMissing', ['password']);
  return {
    flow: 'password',
    consumerKey,
    consumerSecret: own.consumerSecret,
    username: connection.integrationUsername,
    password: own.password,
    securityToken: own.securityToken ?? ''
  };
}
