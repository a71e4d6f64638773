import type { Connection } from '@salesforce/core';
import { CONNECTED_APP_NAME, ECA_NAME } from '../contracts/api-names.ts';
import { loadMessages } from '../shared/messages.ts';
import { soqlString } from './soql.ts';

// The consumer key and secret of an app the org owns: an org-local External Client App (read
// through Connect REST) or the legacy Connected App (key through the Metadata API, the rest copied
// by an admin). Never called for the installed package's app, whose consumer is Tethr's.

const messages = loadMessages('org-app-consumer');

export interface ConsumerCredentials {
  appId: string;
  consumerId: string;
  consumerKey: string;
  consumerSecret: string;
}

interface ConsumerSummary {
  id?: string;
  name?: string;
}

function apiPath(conn: Connection, rest: string): string {
  return `/services/data/v${conn.getApiVersion()}${rest}`;
}

/** The record id of the Tethr External Client App (namespaced when it came with the package). */
export async function findExternalClientAppId(conn: Connection, namespace: string): Promise<string> {
  const soql = `SELECT Id, DeveloperName, NamespacePrefix FROM ExternalClientApplication WHERE DeveloperName = ${soqlString(ECA_NAME)}`;
  type Row = { Id: string; NamespacePrefix: string | null };
  let records: Row[];
  try {
    records = (await conn.query<Row>(soql)).records;
  } catch (soqlError) {
    // ExternalClientApplication is a regular sObject (public setup scripts query it with SOQL); the
    // Tooling API is only a fallback, and when it fails too the SOQL error is the one that explains.
    records = (await conn.tooling.query<Row>(soql).catch(() => Promise.reject(soqlError))).records;
  }
  const app = records.find((r) => (r.NamespacePrefix ?? '') === namespace) ?? records[0];
  if (!app) {
    throw messages.createError(namespace ? 'error.PackagedAppMissing' : 'error.LocalAppMissing', [ECA_NAME]);
  }
  return app.Id;
}

/**
 * The consumers listed for an app. The documented response is "App Oauth Credentials
 * Collection"; public clients of this endpoint read its `consumers` array. Any other array of
 * objects is accepted as well, because the collection's property name is not spelled out in the docs.
 */
function consumersOf(body: unknown): ConsumerSummary[] {
  const listed = (body as { consumers?: unknown } | null)?.consumers;
  if (Array.isArray(listed)) return listed as ConsumerSummary[];
  if (Array.isArray(body)) return body as ConsumerSummary[];
  if (body && typeof body === 'object') {
    for (const value of Object.values(body as Record<string, unknown>)) {
      if (Array.isArray(value) && value.every((v) => v && typeof v === 'object'))
        return value as ConsumerSummary[];
    }
  }
  return [];
}

/**
 * Reads the consumer key and secret of the Tethr External Client App through Connect REST
 * `/apps/oauth/credentials/{appId}/{consumerId}?part=keyandsecret`.
 */
export async function readExternalClientAppCredentials(
  conn: Connection,
  namespace: string
): Promise<ConsumerCredentials> {
  const appId = await findExternalClientAppId(conn, namespace);
  const listing = await requestOrExplain(conn, apiPath(conn, `/apps/oauth/credentials/${appId}`));
  const consumer = consumersOf(listing).find((c) => typeof c.id === 'string');
  if (!consumer?.id) {
    throw messages.createError('error.NoConsumerYet', [ECA_NAME]);
  }
  const detail = (await requestOrExplain(
    conn,
    apiPath(conn, `/apps/oauth/credentials/${appId}/${consumer.id}?part=keyandsecret`)
  )) as {
    key?: string | null;
    secret?: string | null;
  };
  if (!detail.key || !detail.secret) {
    throw messages.createError('error.ConsumerSecretHidden', [], [ECA_NAME]);
  }
  return { appId, consumerId: consumer.id, consumerKey: detail.key, consumerSecret: detail.secret };
}

async function requestOrExplain(conn: Connection, url: string): Promise<unknown> {
  try {
    return await conn.request({ method: 'GET', url });
  } catch (error) {
    const e = error as { errorCode?: string; name?: string; message?: string };
    const code = e.errorCode ?? e.name ?? '';
    if (/FORBIDDEN|INSUFFICIENT_ACCESS|403/i.test(`${code} ${e.message ?? ''}`)) {
      throw messages.createError('error.ConsumerSecretForbidden', [e.message ?? code], [ECA_NAME]);
    }
    if (/NOT_FOUND/i.test(code)) {
      throw messages.createError('error.CredentialsResourceMissing', [e.message ?? code]);
    }
    throw error;
  }
}

export interface LegacySecrets {
  consumerSecret?: string;
  password?: string;
  securityToken?: string;
}

/**
 * The legacy Connected App: the consumer key can be read through the Metadata API, the secret
 * never can, and the integration user's password and token are not readable at all. What the
 * admin must copy is taken from environment variables (never flags, which end up in shell
 * history); anything missing is listed with where to find it.
 */
export async function readConnectedAppCredentials(
  conn: Connection,
  integrationUsername: string,
  secrets: LegacySecrets
): Promise<{ consumerKey: string; consumerSecret: string; password: string; securityToken: string }> {
  const app = (await conn.metadata.read('ConnectedApp', CONNECTED_APP_NAME)) as unknown as {
    fullName?: string;
    oauthConfig?: { consumerKey?: string };
  };
  const consumerKey = app?.oauthConfig?.consumerKey;
  if (!consumerKey) {
    throw messages.createError('error.ConnectedAppMissing', [CONNECTED_APP_NAME]);
  }
  const missing: string[] = [];
  if (!secrets.consumerSecret) {
    missing.push(messages.getMessage('missing.consumerSecret', [CONNECTED_APP_NAME]));
  }
  if (!secrets.password) {
    missing.push(messages.getMessage('missing.password', [integrationUsername, integrationUsername]));
  }
  if (secrets.securityToken === undefined) {
    missing.push(messages.getMessage('missing.securityToken', [integrationUsername]));
  }
  if (missing.length > 0) {
    throw messages.createError('error.LegacyCredentialsNeedAdmin', [
      missing.map((m) => `  - ${m}`).join('\n')
    ]);
  }
  return {
    consumerKey,
    consumerSecret: secrets.consumerSecret!,
    password: secrets.password!,
    securityToken: secrets.securityToken ?? ''
  };
}
