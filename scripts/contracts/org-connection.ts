import { eventTopicFor, type Namespace } from './api-names.ts';
import type { Channel } from './channels.ts';
import type { AppVariant, AuthFlow, ConnectionFile } from './connection-file.ts';
import type { CredentialsBundle } from './credentials-bundle.ts';

/**
 * One customer org as the relay, backfill, verify and doctor work with it, whichever file it came
 * from (a v2 connection file or a v1 credentials bundle). Secrets the file carried (local and
 * legacy apps, v1 bundles) sit in `fileSecrets`; the packaged app's credential is Tethr's own and
 * comes from the environment (org/app-credential.ts), never from here.
 */
export interface OrgConnection {
  schema: ConnectionFile['schema'] | CredentialsBundle['schema'];
  orgId: string;
  instanceUrl: string;
  /** unknown for v1 bundles, which did not record it */
  isSandbox: boolean | undefined;
  namespace: Namespace;
  integrationUsername: string;
  channels: Channel[];
  app: AppVariant;
  authFlow: AuthFlow;
  apiVersion: string;
  eventTopic: string;
  createdAt: string;
  fileSecrets?: {
    consumerKey: string;
    consumerSecret?: string;
    password?: string;
    securityToken?: string;
  };
}

export function fromConnectionFile(file: ConnectionFile): OrgConnection {
  const connection: OrgConnection = {
    schema: file.schema,
    orgId: file.orgId,
    instanceUrl: file.instanceUrl,
    isSandbox: file.isSandbox,
    namespace: file.namespace,
    integrationUsername: file.integrationUsername,
    channels: [...file.channels],
    app: file.app,
    authFlow: file.authFlow,
    apiVersion: file.apiVersion,
    eventTopic: eventTopicFor(file.namespace),
    createdAt: file.createdAt
  };
  if (file.app === 'local') {
    connection.fileSecrets = { consumerKey: file.consumerKey, consumerSecret: file.consumerSecret };
  } else if (file.app === 'legacy-connected-app') {
    connection.fileSecrets = {
      consumerKey: file.consumerKey,
      consumerSecret: file.consumerSecret,
      password: file.password,
      securityToken: file.securityToken
    };
  }
  return connection;
}

/**
 * A v1 bundle always held the org's own consumer: an org-local External Client App
 * (client credentials) or the legacy Connected App (username-password).
 */
export function fromCredentialsBundle(bundle: CredentialsBundle): OrgConnection {
  return {
    schema: bundle.schema,
    orgId: bundle.orgId,
    instanceUrl: bundle.myDomainUrl,
    isSandbox: undefined,
    namespace: bundle.namespace,
    integrationUsername: bundle.integrationUsername,
    channels: [...bundle.channels],
    app: bundle.authFlow === 'password' ? 'legacy-connected-app' : 'local',
    authFlow: bundle.authFlow,
    apiVersion: bundle.apiVersion,
    eventTopic: bundle.eventTopic,
    createdAt: bundle.createdAt,
    fileSecrets: {
      consumerKey: bundle.consumerKey,
      consumerSecret: bundle.consumerSecret,
      ...(bundle.password !== undefined ? { password: bundle.password } : {}),
      ...(bundle.securityToken !== undefined ? { securityToken: bundle.securityToken } : {})
    }
  };
}

/** The 15-character form of an org id: what Tethr session ids and database keys use. */
export function orgKey(orgId: string): string {
  return orgId.slice(0, 15);
}

/**
 * How Tethr session ids are formed. A full sandbox copies record ids from production, so a record
 * id alone can collide across orgs in one Tethr instance: the default is the 15-character org id
 * and the record id (`00D5g000004abcD:5005g00000XyZabAAA`), stable across retries and replays.
 * `record-id` is the seed-era form, kept for orgs whose history Tethr already holds under it.
 */
export type SessionIdScheme = 'org-and-record' | 'record-id';

export const DEFAULT_SESSION_ID_SCHEME: SessionIdScheme = 'org-and-record';

export function tethrSessionId(
  orgId: string,
  recordId: string,
  scheme: SessionIdScheme = DEFAULT_SESSION_ID_SCHEME
): string {
  return scheme === 'record-id' ? recordId : `${orgKey(orgId)}:${recordId}`;
}
