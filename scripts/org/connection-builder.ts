import type { Connection } from '@salesforce/core';
import {
  CHANNEL_SWITCH_FIELD,
  CHANNEL_SWITCH_TYPE,
  qualify,
  type Namespace
} from '../contracts/api-names.ts';
import { CHANNELS, isChannel, type Channel } from '../contracts/channels.ts';
import {
  CONNECTION_SCHEMA,
  FLOWS_FOR_APP,
  parseConnectionFile,
  type AppVariant,
  type AuthFlow,
  type ConnectionFile
} from '../contracts/connection-file.ts';
import { loadMessages } from '../shared/messages.ts';
import { readConnectedAppCredentials, readExternalClientAppCredentials } from './org-app-consumer.ts';
import { findIntegrationUsername } from './integration-user.ts';
import { presentChannels, type OrgShape } from './org-shape.ts';

// Builds the connection file for the org in front of us, for its app variant. On the packaged
// path nothing secret is read or written: the packaged app's consumer lives in Tethr's Dev Hub
// and Tethr already holds its credential. Only where the org owns its app (local ECA, legacy
// Connected App) does the file carry the consumer, read from the org.

const messages = loadMessages('connection-builder');

export interface BuildOptions {
  orgId: string;
  shape: OrgShape;
  app: AppVariant;
  authFlow?: AuthFlow;
  integrationUsername?: string;
  /** where the legacy flow's admin-copied values come from (defaults to process.env) */
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

/** The default sign-in flow per app variant: JWT bearer for the packaged app (Salesforce rates it lower risk). */
export function defaultAuthFlow(app: AppVariant): AuthFlow {
  return app === 'packaged' ? 'jwt_bearer' : app === 'local' ? 'client_credentials' : 'password';
}

/** The app variant of an org: the installed package's app, else the org-local one (or legacy when asked). */
export function appVariantOf(shape: Pick<OrgShape, 'namespace'>, legacyConnectedApp: boolean): AppVariant {
  if (legacyConnectedApp) return 'legacy-connected-app';
  return shape.namespace ? 'packaged' : 'local';
}

/**
 * Refuses a sign-in flow the org's app variant cannot use (JWT bearer or client credentials on the
 * legacy Connected App; JWT bearer on an org-local app, which gets no certificate), before anything
 * is read from the org or changed in it: otherwise the built file would fail our own reader at the
 * very end, after the org's secret was read.
 */
export function assertFlowForApp(app: AppVariant, authFlow: AuthFlow | undefined): void {
  if (authFlow === undefined || FLOWS_FOR_APP[app].includes(authFlow)) return;
  const supported = FLOWS_FOR_APP[app].join(', ');
  throw messages.createError('error.FlowNotForApp', [authFlow, app, supported], [supported]);
}

export async function buildConnectionFile(conn: Connection, options: BuildOptions): Promise<ConnectionFile> {
  assertFlowForApp(options.app, options.authFlow);
  const integrationUsername = await findIntegrationUsername(conn, options.integrationUsername);
  const channels = await connectionChannels(conn, options.shape);
  const authFlow = options.authFlow ?? defaultAuthFlow(options.app);
  const common = {
    schema: CONNECTION_SCHEMA,
    orgId: options.orgId,
    instanceUrl: new URL(conn.instanceUrl).origin,
    isSandbox: await isSandbox(conn),
    namespace: options.shape.namespace,
    integrationUsername,
    channels,
    apiVersion: conn.getApiVersion(),
    createdAt: (options.now ?? new Date()).toISOString()
  } as const;
  let file: ConnectionFile;
  if (options.app === 'packaged') {
    file = { ...common, app: 'packaged', authFlow: authFlow as 'jwt_bearer' | 'client_credentials' };
  } else if (options.app === 'local') {
    const consumer = await readExternalClientAppCredentials(conn, options.shape.namespace);
    // assertFlowForApp above: an org-local app signs in with client credentials only.
    file = {
      ...common,
      app: 'local',
      authFlow: 'client_credentials',
      consumerKey: consumer.consumerKey,
      consumerSecret: consumer.consumerSecret
    };
  } else {
    const env = options.env ?? process.env;
    const legacy = await readConnectedAppCredentials(conn, integrationUsername, {
      ...(env.TETHR_CONSUMER_SECRET ? { consumerSecret: env.TETHR_CONSUMER_SECRET } : {}),
      ...(env.TETHR_INTEGRATION_PASSWORD ? { password: env.TETHR_INTEGRATION_PASSWORD } : {}),
      ...(env.TETHR_SECURITY_TOKEN !== undefined ? { securityToken: env.TETHR_SECURITY_TOKEN } : {})
    });
    file = { ...common, app: 'legacy-connected-app', authFlow: 'password', ...legacy };
  }
  // What we hand over must pass our own reader.
  return parseConnectionFile(file, messages.getMessage('source.built'));
}

/**
 * The channels the file names: those the org has, minus any switched off in Tethr_Channel__mdt.
 * A channel without a switch record counts as on (the Messaging switch ships with the extension).
 */
export async function connectionChannels(
  conn: Connection,
  shape: Pick<OrgShape, 'channels' | 'namespace'>
): Promise<Channel[]> {
  const present = presentChannels(shape);
  const switchedOff = await switchedOffChannels(conn, shape.namespace);
  const channels = present.filter((c) => !switchedOff.has(c));
  if (channels.length === 0) {
    throw present.length === 0
      ? messages.createError('error.NoChannelInOrg')
      : messages.createError('error.EveryChannelSwitchedOff', [present.join(', ')]);
  }
  return CHANNELS.filter((c) => channels.includes(c));
}

export async function switchedOffChannels(conn: Connection, namespace: Namespace): Promise<Set<Channel>> {
  const type = qualify(CHANNEL_SWITCH_TYPE, namespace);
  const field = qualify(CHANNEL_SWITCH_FIELD, namespace);
  try {
    const result = await conn.query<Record<string, unknown>>(`SELECT DeveloperName, ${field} FROM ${type}`);
    return new Set(
      result.records
        .filter((r) => r[field] === false && isChannel(r.DeveloperName))
        .map((r) => r.DeveloperName as Channel)
    );
  } catch {
    // The switches are not deployed yet: nothing is switched off.
    return new Set();
  }
}

async function isSandbox(conn: Connection): Promise<boolean> {
  const result = await conn.query<{ IsSandbox: boolean }>('SELECT IsSandbox FROM Organization');
  return result.records[0]?.IsSandbox === true;
}
