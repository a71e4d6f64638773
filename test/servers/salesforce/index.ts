import { registerConnect, type FakeConnectState } from './connect.ts';
import { FakeConversationEntries, registerConversationEntries } from './conversation-entries.ts';
import { FakeMetadataState, registerMetadataApi, type DeployedComponent } from './metadata-api.ts';
import { registerOAuth, registerUserInfo, type FakeOAuthState } from './oauth.ts';
import { grantsOf } from './access.ts';
import { policiesFromMetadata } from './org-shapes.ts';
import { FakeOrgData, registerRestData } from './org-data.ts';
import { FakeSalesforceServer } from './server.ts';

export { FakeSalesforceServer } from './server.ts';
export type { RecordedRequest, Reply, RouteHandler, RouteMatch } from './server.ts';
export { FakeOrgData } from './org-data.ts';
export { FakeMetadataState } from './metadata-api.ts';
export { SALESFORCE_TOKEN_ERRORS } from './oauth.ts';
export type { SObjectRecord } from './soql.ts';

export const FAKE_ORG_ID = '00D000000000001EAA';
/** the admin user of the sf CLI session (matches /services/oauth2/userinfo) */
export const FAKE_ADMIN_USER_ID = '005000000000001AAA';
export const INTEGRATION_PROFILE = 'Minimum Access - API Only Integrations';

export interface FakeSalesforce {
  server: FakeSalesforceServer;
  url: string;
  org: FakeOrgData;
  oauth: FakeOAuthState;
  connect: FakeConnectState;
  metadata: FakeMetadataState;
  /** Connect REST conversation entries of enhanced Messaging sessions */
  entries: FakeConversationEntries;
  stop(): Promise<void>;
}

/**
 * Starts a fake org on 127.0.0.1 with every endpoint the org tooling uses. Other suites add
 * routes of their own with `fake.server.route(...)`; later routes win over these defaults.
 */
export async function startFakeSalesforce(): Promise<FakeSalesforce> {
  const server = await new FakeSalesforceServer().start();
  const org = new FakeOrgData();
  const oauth: FakeOAuthState = {
    clients: [],
    failures: [],
    issued: [],
    adminUsername: 'admin@tethr-test.example'
  };
  const connect: FakeConnectState = {
    consumers: new Map(),
    secretAccessEnabled: true,
    packagedApps: new Set()
  };
  const metadata = new FakeMetadataState();
  registerRestData(server, org);
  registerOAuth(server, oauth);
  registerUserInfo(server, oauth, FAKE_ORG_ID);
  registerConnect(server, connect);
  registerMetadataApi(server, metadata);
  const entries = new FakeConversationEntries();
  registerConversationEntries(server, org, entries);
  return { server, url: server.url, org, oauth, connect, metadata, entries, stop: () => server.stop() };
}

/**
 * Seeds what a fresh scratch org has (organization, the API-only integration profile and
 * licence) and the org-side behaviour the tooling relies on: assigning a permission set to an
 * API-only integration user before the licence fails like Salesforce does, and deploying the
 * External Client App with global OAuth settings creates a consumer whose key works for tokens.
 */
export function seedScratchOrg(fake: FakeSalesforce, options: { adminEmail?: string } = {}): void {
  const { org } = fake;
  org.add('Organization', {
    Id: FAKE_ORG_ID,
    Name: 'Tethr Test Org',
    IsSandbox: false,
    OrganizationType: 'Developer Edition'
  });
  org.add('User', {
    Id: FAKE_ADMIN_USER_ID,
    Username: fake.oauth.adminUsername,
    Email: options.adminEmail ?? 'admin@tethr-test.example',
    IsActive: true,
    Alias: 'admin'
  });
  const profile = org.add('Profile', { Name: INTEGRATION_PROFILE });
  const psl = org.add('PermissionSetLicense', {
    DeveloperName: 'SalesforceAPIIntegrationPsl',
    MasterLabel: 'Salesforce API Integration'
  });
  org.insertRules.push((type, record, data) => {
    if (type !== 'PermissionSetAssignment') return undefined;
    const user = data.findById(String(record.AssigneeId));
    if (!user || user.ProfileId !== profile.Id) return undefined;
    const licensed = data
      .all('PermissionSetLicenseAssign')
      .some((a) => a.AssigneeId === user.Id && a.PermissionSetLicenseId === psl.Id);
    return licensed
      ? undefined
      : {
          errorCode: 'FIELD_INTEGRITY_EXCEPTION',
          message: "The user license doesn't allow the permission: Api Enabled",
          fields: []
        };
  });
  org.insertRules.push((type, record, data) => {
    if (type !== 'User') return undefined;
    const taken = data
      .all('User')
      .some((u) => String(u.Username).toLowerCase() === String(record.Username).toLowerCase());
    return taken
      ? {
          errorCode: 'DUPLICATE_USERNAME',
          message:
            'Duplicate Username.<br>The username already exists in this or another Salesforce organization.',
          fields: ['Username']
        }
      : undefined;
  });
  fake.metadata.onDeployed.push((components) => createConsumersFor(fake, components));
}

function createConsumersFor(fake: FakeSalesforce, components: DeployedComponent[]): void {
  for (const component of components.filter((c) => c.type === 'ExternalClientApplication')) {
    const existing = fake.org
      .all('ExternalClientApplication')
      .find((r) => r.DeveloperName === component.fullName);
    if (existing) continue;
    const app = fake.org.add('ExternalClientApplication', {
      DeveloperName: component.fullName,
      MasterLabel: component.fullName,
      NamespacePrefix: null
    });
    const consumer = {
      id: fake.org.newId('OauthConsumer').replace(/^a00/, '0Hx'),
      name: component.fullName,
      key: `3MVG9FAKEKEY${app.Id}`,
      secret: `FAKESECRET-${app.Id}-9f8e7d6c5b4a`
    };
    fake.connect.consumers.set(app.Id, [consumer]);
    fake.oauth.clients.push({
      consumerKey: consumer.key,
      consumerSecret: consumer.secret,
      // In a shaped org the app's own policies decide who signs in, as in a real org.
      ...(fake.org.shape ? { policies: () => policiesFromMetadata(fake.metadata, component.fullName) } : {})
    });
  }
  // Deployed flows and channel switches become visible to queries, as in a real org.
  for (const flow of components.filter((c) => c.type === 'Flow')) {
    const isActive = /<status>Active<\/status>/.test(flow.content);
    const existing = fake.org.all('FlowDefinitionView').find((r) => r.ApiName === flow.fullName);
    if (existing) existing.IsActive = isActive;
    else
      fake.org.add('FlowDefinitionView', {
        ApiName: flow.fullName,
        IsActive: isActive,
        NamespacePrefix: null
      });
  }
  for (const record of components.filter(
    (c) => c.type === 'CustomMetadata' && c.fullName.startsWith('Tethr_Channel.')
  )) {
    const name = record.fullName.slice('Tethr_Channel.'.length);
    const enabled = /<field>Enabled__c<\/field>\s*<value[^>]*>true<\/value>/.test(record.content);
    const existing = fake.org.all('Tethr_Channel__mdt').find((r) => r.DeveloperName === name);
    if (existing) existing.Enabled__c = enabled;
    else fake.org.add('Tethr_Channel__mdt', { DeveloperName: name, Enabled__c: enabled });
  }
  for (const component of components.filter((c) => c.type === 'PermissionSet')) {
    recordPermissionSet(fake, component.fullName, component.content);
  }
}

/**
 * A deployed permission set as the org then shows it to queries: the PermissionSet record with its
 * Permissions<Name> user permission fields, and one ObjectPermissions / FieldPermissions row per
 * grant. A redeploy replaces the rows, as a Metadata API deploy of the whole set does.
 */
export function recordPermissionSet(fake: FakeSalesforce, name: string, xml: string): void {
  const { org } = fake;
  let set = org.all('PermissionSet').find((p) => p.Name === name && !p.NamespacePrefix);
  if (!set) set = org.add('PermissionSet', { Name: name, NamespacePrefix: null });
  for (const key of Object.keys(set)) if (key.startsWith('Permissions')) delete set[key];
  const grants = grantsOf(xml);
  for (const permission of grants.userPermissions) set[`Permissions${permission}`] = true;
  for (const type of ['ObjectPermissions', 'FieldPermissions']) {
    const rows = org.all(type);
    for (let i = rows.length - 1; i >= 0; i -= 1) if (rows[i]!.ParentId === set.Id) rows.splice(i, 1);
  }
  const flag = (block: string, element: string) => new RegExp(`<${element}>true</${element}>`).test(block);
  for (const block of xml.matchAll(/<objectPermissions>([\s\S]*?)<\/objectPermissions>/g)) {
    const object = /<object>([^<]+)<\/object>/.exec(block[1]!)?.[1];
    if (!object) continue;
    org.add('ObjectPermissions', {
      ParentId: set.Id,
      SobjectType: object,
      PermissionsRead: flag(block[1]!, 'allowRead'),
      PermissionsCreate: flag(block[1]!, 'allowCreate'),
      PermissionsEdit: flag(block[1]!, 'allowEdit'),
      PermissionsDelete: flag(block[1]!, 'allowDelete')
    });
  }
  for (const block of xml.matchAll(/<fieldPermissions>([\s\S]*?)<\/fieldPermissions>/g)) {
    const field = /<field>([^<]+)<\/field>/.exec(block[1]!)?.[1];
    if (!field) continue;
    org.add('FieldPermissions', {
      ParentId: set.Id,
      SobjectType: field.split('.')[0],
      Field: field,
      PermissionsRead: flag(block[1]!, 'readable'),
      PermissionsEdit: flag(block[1]!, 'editable')
    });
  }
}
