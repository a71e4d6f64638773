import type { SfError } from '@salesforce/core/sfError';
import { loadMessages } from '../shared/messages.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';
import { eventTopicFor, isNamespace, type Namespace } from './api-names.ts';
import { CHANNELS, isChannel, type Channel } from './channels.ts';

// The connection file `tethr-salesforce-connection/v2`: what a customer org hands Tethr, and what
// the relay, backfill, verify and doctor read. It is a contract with Tethr and with the relay
// service's tenant table: change it only deliberately, with a new schema name.
//
// Three app variants, three shapes:
// - packaged: the installed managed package's External Client App. Its one consumer (key, secret,
//   certificate) lives in Tethr's Dev Hub and Tethr holds the credential itself, so the file
//   holds NO secret field at all: safe to e-mail, and the setup page can offer it as a download.
// - local: an org-local External Client App (scratch org, sandbox, unpackaged deploy) with its
//   own consumer: the file also holds consumerKey and consumerSecret (mode 0600, optionally
//   age-encrypted).
// - legacy-connected-app: the seed's Connected App and username-password flow, labelled legacy.

export const CONNECTION_SCHEMA = 'tethr-salesforce-connection/v2';

export type AppVariant = 'packaged' | 'local' | 'legacy-connected-app';
export type AuthFlow = 'client_credentials' | 'jwt_bearer' | 'password';

export const APP_VARIANTS: readonly AppVariant[] = ['packaged', 'local', 'legacy-connected-app'];
export const AUTH_FLOWS: readonly AuthFlow[] = ['client_credentials', 'jwt_bearer', 'password'];

/** Which sign-in flows each app variant supports. */
export const FLOWS_FOR_APP: Readonly<Record<AppVariant, readonly AuthFlow[]>> = {
  packaged: ['jwt_bearer', 'client_credentials'],
  // An org-local app gets no certificate from our templates, so it signs in with its own secret.
  local: ['client_credentials'],
  'legacy-connected-app': ['password']
};

interface ConnectionCommon {
  schema: typeof CONNECTION_SCHEMA;
  orgId: string;
  /** the org's My Domain origin, e.g. https://acme.my.salesforce.com */
  instanceUrl: string;
  isSandbox: boolean;
  namespace: Namespace;
  integrationUsername: string;
  /** the channels switched on that the org has */
  channels: Channel[];
  apiVersion: string;
  createdAt: string;
}

export interface PackagedConnection extends ConnectionCommon {
  app: 'packaged';
  authFlow: 'client_credentials' | 'jwt_bearer';
}

export interface LocalConnection extends ConnectionCommon {
  app: 'local';
  /** an org-local app has no certificate of Tethr's, so it signs in with its own secret */
  authFlow: 'client_credentials';
  consumerKey: string;
  consumerSecret: string;
}

export interface LegacyConnection extends ConnectionCommon {
  app: 'legacy-connected-app';
  authFlow: 'password';
  consumerKey: string;
  consumerSecret: string;
  password: string;
  /** may be empty when the org trusts the caller's IP range */
  securityToken: string;
}

export type ConnectionFile = PackagedConnection | LocalConnection | LegacyConnection;

/** Fields that hold secrets: never printed, never logged, never in snapshots. */
export const CONNECTION_SECRET_FIELDS = ['consumerSecret', 'password', 'securityToken'] as const;

const COMMON_FIELDS = [
  'schema',
  'orgId',
  'instanceUrl',
  'isSandbox',
  'namespace',
  'integrationUsername',
  'channels',
  'app',
  'authFlow',
  'apiVersion',
  'createdAt'
];
const FIELDS_FOR_APP: Readonly<Record<AppVariant, readonly string[]>> = {
  packaged: COMMON_FIELDS,
  local: [...COMMON_FIELDS, 'consumerKey', 'consumerSecret'],
  'legacy-connected-app': [...COMMON_FIELDS, 'consumerKey', 'consumerSecret', 'password', 'securityToken']
};

const messages = loadMessages('connection-file');

export const ORG_ID_PATTERN = /^00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/;
export const API_VERSION_PATTERN = /^\d{2,3}\.0$/;

/** Collects every problem of a file, so that one run shows them all (not the first only). */
class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks a string field. Secret fields are never quoted back, not even their type or length,
 * because a misplaced secret would then show up in the error message.
 */
function stringField(
  obj: Record<string, unknown>,
  field: string,
  problems: Problems,
  options: { secret?: boolean; allowEmpty?: boolean } = {}
): string {
  const value = obj[field];
  if (value === undefined) {
    problems.add(messages.getMessage('problem.missing', [field]));
    return '';
  }
  if (typeof value !== 'string') {
    problems.add(
      options.secret
        ? messages.getMessage('problem.secretNotString', [field])
        : messages.getMessage('problem.wrongType', [field, 'a string', typeName(value)])
    );
    return '';
  }
  if (!options.allowEmpty && value.trim() === '') {
    problems.add(messages.getMessage('problem.empty', [field]));
    return '';
  }
  return value;
}

/** The checks v1 bundles and v2 connection files share (same field meanings, same rules). */
export function checkCommonFields(
  obj: Record<string, unknown>,
  problems: { add(problem: string): void },
  urlField: 'instanceUrl' | 'myDomainUrl'
): Omit<ConnectionCommon, 'schema' | 'isSandbox'> {
  const p = problems as Problems;
  const orgId = stringField(obj, 'orgId', p);
  if (orgId && !ORG_ID_PATTERN.test(orgId)) p.add(messages.getMessage('problem.orgId'));
  let instanceUrl = '';
  const rawUrl = stringField(obj, urlField, p);
  if (rawUrl) {
    try {
      const url = assertAllowedUrl(rawUrl, urlField);
      if (url.pathname !== '/' || url.search || url.hash)
        p.add(messages.getMessage('problem.urlNotOrigin', [urlField]));
      else instanceUrl = url.origin;
    } catch (error) {
      p.add((error as Error).message);
    }
  }
  const namespace = obj.namespace;
  if (!isNamespace(namespace)) p.add(messages.getMessage('problem.namespace'));
  const integrationUsername = stringField(obj, 'integrationUsername', p);
  const apiVersion = stringField(obj, 'apiVersion', p);
  if (apiVersion && !API_VERSION_PATTERN.test(apiVersion)) p.add(messages.getMessage('problem.apiVersion'));
  const channels = obj.channels;
  let channelList: Channel[] = [];
  if (!Array.isArray(channels)) {
    p.add(
      channels === undefined
        ? messages.getMessage('problem.missing', ['channels'])
        : messages.getMessage('problem.wrongType', ['channels', 'an array', typeName(channels)])
    );
  } else if (channels.length === 0) {
    p.add(messages.getMessage('problem.noChannels'));
  } else {
    const unknown = channels.filter((c) => !isChannel(c));
    if (unknown.length > 0) p.add(messages.getMessage('problem.unknownChannel', [CHANNELS.join(', ')]));
    else if (new Set(channels).size !== channels.length)
      p.add(messages.getMessage('problem.repeatedChannel'));
    else channelList = CHANNELS.filter((c) => channels.includes(c));
  }
  const createdAt = stringField(obj, 'createdAt', p);
  if (createdAt && (!/^\d{4}-\d{2}-\d{2}T/.test(createdAt) || Number.isNaN(Date.parse(createdAt)))) {
    p.add(messages.getMessage('problem.createdAt'));
  }
  return {
    orgId,
    instanceUrl,
    namespace: isNamespace(namespace) ? namespace : '',
    integrationUsername,
    channels: channelList,
    apiVersion,
    createdAt
  };
}

export function isConnectionFile(data: unknown): boolean {
  return (
    typeof data === 'object' && data !== null && (data as { schema?: unknown }).schema === CONNECTION_SCHEMA
  );
}

/**
 * Validates untrusted JSON (a file, a database row, the setup page's download) as a v2
 * connection file. Every problem is reported at once, named by field, with the fix.
 */
export function parseConnectionFile(data: unknown, source: string): ConnectionFile {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalid(source, [messages.getMessage('problem.notObject')]);
  }
  const obj = data as Record<string, unknown>;
  if (obj.schema !== CONNECTION_SCHEMA) {
    throw invalid(source, [messages.getMessage('problem.schema', [CONNECTION_SCHEMA])]);
  }
  const problems = new Problems();
  const common = checkCommonFields(obj, problems, 'instanceUrl');
  if (typeof obj.isSandbox !== 'boolean') {
    problems.add(
      obj.isSandbox === undefined
        ? messages.getMessage('problem.missing', ['isSandbox'])
        : messages.getMessage('problem.wrongType', ['isSandbox', 'true or false', typeName(obj.isSandbox)])
    );
  }
  const app = obj.app as AppVariant;
  if (!APP_VARIANTS.includes(app)) {
    problems.add(messages.getMessage('problem.app', [APP_VARIANTS.join('", "')]));
    throw invalid(source, problems.list);
  }
  const authFlow = obj.authFlow as AuthFlow;
  if (!FLOWS_FOR_APP[app].includes(authFlow)) {
    problems.add(messages.getMessage('problem.authFlow', [app, FLOWS_FOR_APP[app].join('", "')]));
  }
  const allowed = new Set(FIELDS_FOR_APP[app]);
  const extra = Object.keys(obj).filter((key) => !allowed.has(key));
  if (extra.length > 0) {
    const secrets = extra.filter(
      (k) => (CONNECTION_SECRET_FIELDS as readonly string[]).includes(k) || k === 'consumerKey'
    );
    problems.add(
      app === 'packaged' && secrets.length > 0
        ? messages.getMessage('problem.secretInPackaged', [secrets.join(', ')])
        : messages.getMessage('problem.unknownFields', [app, extra.join(', ')])
    );
  }
  const base = { schema: CONNECTION_SCHEMA, ...common, isSandbox: obj.isSandbox === true } as const;
  let file: ConnectionFile;
  if (app === 'packaged') {
    file = { ...base, app, authFlow: authFlow as PackagedConnection['authFlow'] };
  } else if (app === 'local') {
    file = {
      ...base,
      app,
      authFlow: 'client_credentials',
      consumerKey: stringField(obj, 'consumerKey', problems, { secret: true }),
      consumerSecret: stringField(obj, 'consumerSecret', problems, { secret: true })
    };
  } else {
    file = {
      ...base,
      app,
      authFlow: 'password',
      consumerKey: stringField(obj, 'consumerKey', problems, { secret: true }),
      consumerSecret: stringField(obj, 'consumerSecret', problems, { secret: true }),
      password: stringField(obj, 'password', problems, { secret: true }),
      securityToken: stringField(obj, 'securityToken', problems, { secret: true, allowEmpty: true })
    };
  }
  if (problems.list.length > 0) throw invalid(source, problems.list);
  return file;
}

function invalid(source: string, problems: string[]): SfError {
  return messages.createError('error.InvalidConnectionFile', [
    source,
    problems.length === 1 ? problems[0]! : `\n${problems.map((p) => `  - ${p}`).join('\n')}`
  ]);
}

/** The Pub/Sub topic the org's package (or unpackaged deploy) publishes to. */
export function topicOf(connection: { namespace: Namespace }): string {
  return eventTopicFor(connection.namespace);
}

/** A copy safe to print or log: secret fields replaced, a consumer key shortened to a recognisable prefix. */
export function redactConnection(file: ConnectionFile): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...file, channels: [...file.channels] };
  if ('consumerKey' in file) copy.consumerKey = redactKey(file.consumerKey);
  for (const field of CONNECTION_SECRET_FIELDS) if (copy[field] !== undefined) copy[field] = REDACTED;
  return copy;
}

export const REDACTED = '[redacted]';

export function redactKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 6)}…${REDACTED}` : REDACTED;
}

/** Whether a file of this variant holds secrets (and so must be 0600, optionally encrypted). */
export function holdsSecrets(app: AppVariant): boolean {
  return app !== 'packaged';
}
