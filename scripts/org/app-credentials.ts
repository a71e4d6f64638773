import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core/sfError';
import { CONNECTED_APP_NAME, ECA_NAME } from './deploy-plans.ts';
import { soqlString } from './soql.ts';

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
    throw new SfError(`The External Client App ${ECA_NAME} is not in this org.`, 'ExternalClientAppMissing', [
      namespace
        ? 'Reinstall the Tethr package: it brings the app.'
        : 'Deploy it first: `tethr-sf deploy --target-org <org>` (or run `tethr-sf setup`).'
    ]);
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
    throw new SfError(
      `The External Client App ${ECA_NAME} has no OAuth consumer yet.`,
      'OAuthConsumerMissing',
      [
        'Deploy the app with its global OAuth settings (`tethr-sf deploy --target-org <org>`) and wait a few minutes for Salesforce to create the consumer.'
      ]
    );
  }
  const detail = (await requestOrExplain(
    conn,
    apiPath(conn, `/apps/oauth/credentials/${appId}/${consumer.id}?part=keyandsecret`)
  )) as {
    key?: string | null;
    secret?: string | null;
  };
  if (!detail.key || !detail.secret) {
    throw new SfError(
      'Salesforce returned the consumer without its key or secret.',
      'ConsumerSecretHidden',
      secretAccessActions()
    );
  }
  return { appId, consumerId: consumer.id, consumerKey: detail.key, consumerSecret: detail.secret };
}

function secretAccessActions(): string[] {
  return [
    'Turn on reading secrets through the REST API: `tethr-sf app-policies --target-org <org>` sets ExternalClientAppSettings.enableClientSecretInRestApiAccess.',
    'Give your user the permissions "View Client Secret" and "External Client App Developer" (or run as a System Administrator).',
    'Or copy the key and secret by hand: Setup > External Client App Manager > Tethr Integration > Settings > OAuth Settings > Consumer Key and Secret.'
  ];
}

async function requestOrExplain(conn: Connection, url: string): Promise<unknown> {
  try {
    return await conn.request({ method: 'GET', url });
  } catch (error) {
    const e = error as { errorCode?: string; name?: string; message?: string };
    const code = e.errorCode ?? e.name ?? '';
    if (/FORBIDDEN|INSUFFICIENT_ACCESS|403/i.test(`${code} ${e.message ?? ''}`)) {
      throw new SfError(
        `Salesforce refused to show the consumer secret: ${e.message ?? code}`,
        'ConsumerSecretForbidden',
        secretAccessActions()
      );
    }
    if (/NOT_FOUND/i.test(code)) {
      throw new SfError(
        `The credentials resource was not found (${e.message ?? code}).`,
        'CredentialsResourceMissing',
        [
          'The credentials REST API needs API version 60.0 or later and exists for External Client Apps only; check --api-version.'
        ]
      );
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
    throw new SfError(
      `The Connected App ${CONNECTED_APP_NAME} is not in this org (or has no OAuth settings).`,
      'ConnectedAppMissing',
      [
        'Deploy it with `tethr-sf deploy --target-org <org> --legacy-connected-app`, or use the External Client App (without --legacy-connected-app).'
      ]
    );
  }
  const missing: string[] = [];
  if (!secrets.consumerSecret) {
    missing.push(
      `TETHR_CONSUMER_SECRET: Setup > App Manager > ${CONNECTED_APP_NAME} > View > Manage Consumer Details (verify by e-mail code) > Consumer Secret. Salesforce never returns it through an API.`
    );
  }
  if (!secrets.password) {
    missing.push(
      `TETHR_INTEGRATION_PASSWORD: a password for ${integrationUsername}; set one with \`sf org generate password --on-behalf-of ${integrationUsername} --target-org <org>\` or Setup > Users > Reset Password.`
    );
  }
  if (secrets.securityToken === undefined) {
    missing.push(
      `TETHR_SECURITY_TOKEN: the security token e-mailed when ${integrationUsername}'s password was reset (set it to an empty value if the org trusts Tethr's IP range).`
    );
  }
  if (missing.length > 0) {
    throw new SfError(
      `The legacy Connected App needs values that only an admin can copy. Set these environment variables and run the command again:\n${missing.map((m) => `  - ${m}`).join('\n')}`,
      'LegacyCredentialsNeedAdmin',
      [
        'Prefer the External Client App: `tethr-sf setup --target-org <org>` reads its key and secret for you and needs no password.'
      ]
    );
  }
  return {
    consumerKey,
    consumerSecret: secrets.consumerSecret!,
    password: secrets.password!,
    securityToken: secrets.securityToken ?? ''
  };
}
