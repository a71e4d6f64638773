import type { SfError } from '@salesforce/core/sfError';
import { loadMessages } from '../shared/messages.ts';
import { eventTopicFor, type Namespace } from './api-names.ts';
import type { Channel } from './channels.ts';
import { checkCommonFields } from './connection-file.ts';

// The seed-era credentials bundle `tethr-salesforce-credentials/v1`: the org's own consumer key and
// secret (and, for the legacy password flow, the user's password and token). Superseded by the
// connection file v2; kept readable everywhere it worked (`--credentials`), and still written by
// `tethr-sf connection --format v1` for ingestors that have not moved yet.

export const BUNDLE_SCHEMA = 'tethr-salesforce-credentials/v1';

export interface CredentialsBundle {
  schema: typeof BUNDLE_SCHEMA;
  orgId: string;
  myDomainUrl: string;
  authFlow: 'client_credentials' | 'password';
  consumerKey: string;
  consumerSecret: string;
  integrationUsername: string;
  /** legacy username-password flow only */
  password?: string;
  /** legacy username-password flow only; may be empty when the org trusts the caller's IP */
  securityToken?: string;
  namespace: Namespace;
  eventTopic: string;
  apiVersion: string;
  channels: Channel[];
  createdAt: string;
}

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

const messages = loadMessages('connection-file');

export function isCredentialsBundle(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { schema?: unknown }).schema === BUNDLE_SCHEMA;
}

function secret(obj: Record<string, unknown>, field: string, problems: string[], allowEmpty = false): string {
  const value = obj[field];
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    // Secret values are never quoted back, not even their type or length.
    problems.push(
      messages.getMessage(value === undefined ? 'problem.missing' : 'problem.secretNotString', [field])
    );
    return '';
  }
  return value;
}

/** Validates untrusted JSON as a v1 bundle and returns it typed; every problem is reported at once. */
export function parseBundle(data: unknown, source: string): CredentialsBundle {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalidBundle(source, [messages.getMessage('problem.notObject')]);
  }
  const obj = data as Record<string, unknown>;
  if (obj.schema !== BUNDLE_SCHEMA)
    throw invalidBundle(source, [messages.getMessage('problem.schema', [BUNDLE_SCHEMA])]);
  const problems: string[] = [];
  const unknownFields = Object.keys(obj).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknownFields.length > 0)
    problems.push(messages.getMessage('problem.unknownBundleFields', [unknownFields.join(', ')]));
  const common = checkCommonFields(obj, { add: (p) => problems.push(p) }, 'myDomainUrl');
  const authFlow = obj.authFlow;
  if (authFlow !== 'client_credentials' && authFlow !== 'password') {
    problems.push(messages.getMessage('problem.bundleAuthFlow'));
  }
  const consumerKey = secret(obj, 'consumerKey', problems);
  const consumerSecret = secret(obj, 'consumerSecret', problems);
  let password: string | undefined;
  let securityToken: string | undefined;
  if (authFlow === 'password') {
    password = secret(obj, 'password', problems);
    if (obj.securityToken !== undefined) securityToken = secret(obj, 'securityToken', problems, true);
  } else if (obj.password !== undefined || obj.securityToken !== undefined) {
    problems.push(messages.getMessage('problem.passwordWithClientCredentials'));
  }
  const eventTopic = obj.eventTopic;
  const expectedTopic = eventTopicFor(common.namespace);
  if (eventTopic !== expectedTopic)
    problems.push(messages.getMessage('problem.eventTopic', [expectedTopic, common.namespace]));
  if (problems.length > 0) throw invalidBundle(source, problems);
  const bundle: CredentialsBundle = {
    schema: BUNDLE_SCHEMA,
    orgId: common.orgId,
    myDomainUrl: common.instanceUrl,
    authFlow: authFlow as CredentialsBundle['authFlow'],
    consumerKey,
    consumerSecret,
    integrationUsername: common.integrationUsername,
    namespace: common.namespace,
    eventTopic: expectedTopic,
    apiVersion: common.apiVersion,
    channels: common.channels,
    createdAt: common.createdAt
  };
  if (password !== undefined) bundle.password = password;
  if (securityToken !== undefined) bundle.securityToken = securityToken;
  return bundle;
}

function invalidBundle(source: string, problems: string[]): SfError {
  return messages.createError('error.InvalidCredentialsBundle', [
    source,
    problems.length === 1 ? problems[0]! : `\n${problems.map((p) => `  - ${p}`).join('\n')}`
  ]);
}
