import { Flags } from '@salesforce/sf-plugins-core';
import {
  DEFAULT_SESSION_ID_SCHEME,
  orgKey,
  type OrgConnection,
  type SessionIdScheme
} from '../contracts/org-connection.ts';
import { openIntegrationSession, type IntegrationSession } from '../org/integration-session.ts';
import { connectionFromDocument } from '../relay/connection-source.ts';
import { openDatabase, type Database } from '../relay/service/database.ts';
import type { RelayOrgOptions } from '../relay/service/org-options.ts';
import { PgDeadLetterStore } from '../relay/service/pg-dead-letter-store.ts';
import { TenantStore } from '../relay/service/tenant-store.ts';
import { loadMessages } from '../shared/messages.ts';
import { databaseUrlFlag } from './relay-flags.ts';
import { connectionFlags } from './window-flags.ts';

// Where `backfill`, `verify` and `dead-letters retry` get an org from: its connection file, or,
// for an org of the relay service, its tenant row in the database (`--org-id`), which also holds
// the org's session-id scheme, sink and Tethr instance, next to its dead letters. The org's
// `--session-id` must be the one its relay uses: a flag given for a service org must agree with
// the stored option.

const messages = loadMessages('service-org');
const relayMessages = loadMessages('relay');

const ONE_OF = ['connection', 'credentials', 'org-id'];

/** --connection | --credentials | --org-id (with --database-url or TETHR_DATABASE_URL). */
export const orgSourceFlags = {
  connection: Flags.file({ summary: connectionFlags.connection.summary, exists: true, exactlyOne: ONE_OF }),
  credentials: Flags.file({ summary: connectionFlags.credentials.summary, exists: true, exactlyOne: ONE_OF }),
  'org-id': Flags.string({
    summary:
      'An org of the relay service: its connection, session-id scheme and dead letters come from the database (--database-url or TETHR_DATABASE_URL).',
    exactlyOne: ONE_OF
  }),
  'database-url': databaseUrlFlag
};

/** --session-id without a default, so a service org's stored option can be the default. */
export const sessionIdSchemeFlag = Flags.option({
  summary:
    "How the org's relay forms Tethr session ids: org-and-record (the default) or record-id (seed era). Must match the relay's --session-id; for a service org (--org-id) its stored option is used.",
  options: ['org-and-record', 'record-id'] as const
})();

export interface ServiceOrg {
  orgId: string;
  connection: OrgConnection;
  options: RelayOrgOptions;
  database: Database;
  /** the org's dead letters in relay_dead_letters */
  deadLetters: PgDeadLetterStore;
  close(): Promise<void>;
}

/** Reads a service org's tenant row; the database stays open for its dead letters until close(). */
export async function openServiceOrg(
  databaseUrl: string | undefined,
  orgId: string,
  applicationName: string
): Promise<ServiceOrg> {
  const database = await openDatabase(databaseUrl, { applicationName, max: 2 });
  try {
    const tenant = await new TenantStore(database).get(orgId);
    if (!tenant) throw relayMessages.createError('error.OrgNotFound', [orgKey(orgId)]);
    if ('invalid' in tenant.options)
      throw messages.createError('error.TenantOptionsInvalid', [tenant.orgId, tenant.options.invalid]);
    const connection = connectionFromDocument(tenant.document, `relay_orgs ${tenant.orgId}`);
    return {
      orgId: tenant.orgId,
      connection,
      options: tenant.options,
      database,
      deadLetters: new PgDeadLetterStore(database).forOrg(tenant.orgId),
      close: () => database.close()
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** A service org's session as its integration user (Tethr's app credential from TETHR_SF_*). */
export function serviceOrgSession(org: ServiceOrg): IntegrationSession {
  return openIntegrationSession(org.connection);
}

/** The flag's scheme, else the service org's stored one, else the default; a conflict is refused. */
export function resolveSessionIdScheme(
  flag: SessionIdScheme | undefined,
  org?: { orgId: string; options: RelayOrgOptions }
): SessionIdScheme {
  if (flag && org && flag !== org.options.sessionIdScheme)
    throw messages.createError(
      'error.SessionIdConflictsWithTenant',
      [flag, org.orgId, org.options.sessionIdScheme],
      [org.options.sessionIdScheme]
    );
  return flag ?? org?.options.sessionIdScheme ?? DEFAULT_SESSION_ID_SCHEME;
}
