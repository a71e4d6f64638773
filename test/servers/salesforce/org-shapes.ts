import type { Channel } from '../../../scripts/contracts/channels.ts';
import { assignedPermissionSets, grantsFor } from './access.ts';
import { catalogueObject, type Feature } from './catalogue.ts';
import type { ComponentFailure, DeployedComponent, FakeMetadataState } from './metadata-api.ts';
import type { FakeAppPolicies } from './oauth.ts';
import type { FakeSalesforce } from './index.ts';

// The shapes of org Tethr serves, for the fake: which features (and so which standard objects)
// exist, and optionally the installed Tethr package (base, and the Messaging extension). The fake
// then refuses what such an org refuses: deploys and queries of objects it lacks, reads of
// objects and fields the integration user holds no permission for, tokens its policies forbid.

export type ShapeName = 'case-only' | 'messaging' | 'messaging-and-chat';

export const SHAPE_FEATURES: Record<ShapeName, Feature[]> = {
  'case-only': ['ServiceCloud'],
  messaging: ['ServiceCloud', 'Messaging'],
  'messaging-and-chat': ['ServiceCloud', 'Messaging', 'LegacyChat']
};

/**
 * The channels each shape has, written out (not derived from the channel registry's features), so
 * the tests' expectations do not move with the product code they check. In the registry's order.
 */
export const SHAPE_CHANNELS: Record<ShapeName, readonly Channel[]> = {
  'case-only': ['Case'],
  messaging: ['Case', 'MessagingSession'],
  'messaging-and-chat': ['Case', 'MessagingSession', 'LiveChatTranscript']
};

export const SHAPES: readonly ShapeName[] = ['case-only', 'messaging', 'messaging-and-chat'];

/** The packaged app's one consumer, held by the publisher (Tethr's Dev Hub), not by this org. */
export const PACKAGED_CONSUMER_KEY = '3MVG9PUBLISHERKEY0000000000000000000000';
export const PACKAGED_CONSUMER_SECRET = 'PUBLISHER-SECRET-never-in-subscriber-output-77aa';

export interface ShapeOptions {
  /** the installed managed package: base only, or with the Messaging extension */
  installed?: { messagingExtension: boolean };
  /** PEM certificate on the packaged app's global OAuth settings (JWT bearer) */
  packagedCertificate?: string;
}

/** Standard-object references in a deployed component: object names and Object.Field names. */
function referencesOf(component: DeployedComponent): { objects: string[]; fields: string[] } {
  const objects = [...component.content.matchAll(/<object>(\w+)<\/object>/g)].map((m) => m[1]!);
  const fields = [...component.content.matchAll(/<field>(\w+)\.(\w+)<\/field>/g)].map(
    (m) => `${m[1]}.${m[2]}`
  );
  return { objects, fields };
}

export function applyOrgShape(fake: FakeSalesforce, shape: ShapeName, options: ShapeOptions = {}): void {
  const { org, metadata, oauth } = fake;
  const features = new Set<Feature>(SHAPE_FEATURES[shape]);
  const extraObjects = new Set<string>(['Tethr_Channel__mdt']);
  const namespace = options.installed ? 'tethr' : '';
  const userByToken = (authorization: string | undefined) => {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const username = token ? oauth.tokenUsers?.get(token) : undefined;
    return username
      ? org.all('User').find((u) => String(u.Username).toLowerCase() === username.toLowerCase())
      : undefined;
  };
  org.shape = {
    name: shape,
    features,
    extraObjects,
    grantsFor(authorization) {
      const user = userByToken(authorization);
      return user ? grantsFor(org, metadata, user.Id) : undefined;
    }
  };
  oauth.users = (username) => {
    const user = org.all('User').find((u) => String(u.Username).toLowerCase() === username.toLowerCase());
    if (!user) return undefined;
    return {
      id: user.Id,
      active: user.IsActive !== false,
      permissionSets: assignedPermissionSets(org, user.Id).map((p) => p.name)
    };
  };

  // Deploys that name what this org lacks fail whole, with Salesforce's wording.
  metadata.rules.push((components) => {
    const failures: ComponentFailure[] = [];
    for (const component of components) {
      if (component.type !== 'PermissionSet' && component.type !== 'Flow') continue;
      const { objects, fields } = referencesOf(component);
      for (const object of objects) {
        if (!org.objectExists(object)) {
          failures.push({
            componentType: component.type,
            fullName: component.fullName,
            problem:
              component.type === 'PermissionSet'
                ? `In field: object - no CustomObject named ${object} found`
                : `The object ${object} is not available in this organization.`
          });
        }
      }
      if (component.type !== 'PermissionSet') continue;
      for (const qualified of fields) {
        const [object, name] = qualified.split('.') as [string, string];
        const known = catalogueObject(object);
        if (!org.objectExists(object)) {
          failures.push({
            componentType: 'PermissionSet',
            fullName: component.fullName,
            problem: `In field: field - no CustomField named ${qualified} found`
          });
        } else if (known) {
          const field = known.fields.find((f) => f.name === name);
          if (!field) {
            failures.push({
              componentType: 'PermissionSet',
              fullName: component.fullName,
              problem: `In field: field - no CustomField named ${qualified} found`
            });
          } else if (!field.permissionable) {
            failures.push({
              componentType: 'PermissionSet',
              fullName: component.fullName,
              problem: `You cannot deploy to a required field: ${qualified}`
            });
          }
        }
      }
    }
    return failures;
  });
  // The OAuth policies name permission sets: they must exist when the policies are deployed.
  metadata.rules.push((components) =>
    components
      .filter((c) => c.type === 'ExtlClntAppOauthConfigurablePolicies')
      .flatMap((c) => {
        const names = /<commaSeparatedPermissionSet>([^<]*)</.exec(c.content)?.[1]?.split(',') ?? [];
        const deployedNow = components.filter((d) => d.type === 'PermissionSet').map((d) => d.fullName);
        return names
          .map((n) => n.trim())
          .filter((n) => n && !deployedNow.includes(n) && !permissionSetExists(fake, n))
          .map((n) => ({
            componentType: c.type,
            fullName: c.fullName,
            problem: `Invalid permission set: ${n}. Specify the API name of an existing permission set.`
          }));
      })
  );
  metadata.onDeployed.push((components) => {
    for (const c of components) if (c.type === 'CustomObject') extraObjects.add(c.fullName);
  });

  if (!options.installed) return;
  seedInstalledPackage(fake, namespace, options);
}

function permissionSetExists(fake: FakeSalesforce, qualified: string): boolean {
  const [ns, name] =
    qualified.includes('__') && !qualified.endsWith('__c') ? qualified.split('__') : ['', qualified];
  return fake.org
    .all('PermissionSet')
    .some((p) => p.Name === (name ?? qualified) && (p.NamespacePrefix ?? '') === (name ? ns : ''));
}

/**
 * What installing the managed package leaves in a subscriber org: namespaced permission sets
 * (custom objects only: a package cannot carry more), flows, channel switches, the event, and the
 * packaged External Client App whose consumer lives in the publisher's org.
 */
function seedInstalledPackage(fake: FakeSalesforce, namespace: string, options: ShapeOptions): void {
  const { org, oauth, connect, metadata } = fake;
  const eventXml = (extra = '') =>
    `<PermissionSet><objectPermissions><allowRead>true</allowRead><object>${namespace}__Conversation_Closed__e</object></objectPermissions>${extra}</PermissionSet>`;
  org.add('PermissionSet', {
    Name: 'Tethr_Integration_User',
    NamespacePrefix: namespace,
    grantsXml: eventXml()
  });
  org.add('PermissionSet', { Name: 'Tethr_Admin', NamespacePrefix: namespace, grantsXml: eventXml() });
  org.shape!.extraObjects.add(`${namespace}__Conversation_Closed__e`);
  org.shape!.extraObjects.add(`${namespace}__Tethr_Channel__mdt`);
  const app = org.add('ExternalClientApplication', {
    DeveloperName: 'Tethr_Integration',
    MasterLabel: 'Tethr Integration',
    NamespacePrefix: namespace
  });
  // The credentials API serves only an org's own consumers: a packaged app's is its publisher's.
  connect.packagedApps.add(app.Id);
  org.add('FlowDefinitionView', { ApiName: 'Tethr_Case_Closed', IsActive: true, NamespacePrefix: namespace });
  org.add('FlowDefinitionView', {
    ApiName: 'Tethr_Notify_Publish_Failure',
    IsActive: true,
    NamespacePrefix: namespace
  });
  const packages = [{ name: 'Tethr for Service Cloud', id: '0A3000000000001AAA' }];
  if (options.installed?.messagingExtension) {
    org.add('FlowDefinitionView', {
      ApiName: 'Tethr_Messaging_Session_Ended',
      IsActive: true,
      NamespacePrefix: namespace
    });
    packages.push({ name: 'Tethr for Service Cloud: Messaging', id: '0A3000000000002AAA' });
  }
  for (const p of packages) {
    org.add(
      'InstalledSubscriberPackage',
      { SubscriberPackageId: p.id, SubscriberPackage: { Name: p.name, NamespacePrefix: namespace } },
      { tooling: true }
    );
  }
  for (const [name, enabled] of [
    ['Case', true],
    ['MessagingSession', true],
    ['LiveChatTranscript', true]
  ] as const) {
    org.add(`${namespace}__Tethr_Channel__mdt`, {
      DeveloperName: name,
      [`${namespace}__Enabled__c`]: enabled
    });
  }
  oauth.clients.push({
    consumerKey: PACKAGED_CONSUMER_KEY,
    consumerSecret: PACKAGED_CONSUMER_SECRET,
    ...(options.packagedCertificate ? { certificate: options.packagedCertificate } : {}),
    policies: () => policiesFromMetadata(metadata, `${namespace}__Tethr_Integration`)
  });
}

/** The app's policies as the org holds them: the deployed ExtlClntAppOauthConfigurablePolicies. */
export function policiesFromMetadata(
  metadata: FakeMetadataState,
  appName: string
): FakeAppPolicies | undefined {
  const component = metadata.get('ExtlClntAppOauthConfigurablePolicies', appName);
  if (!component) return undefined;
  const value = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(component.content)?.[1];
  const policy: FakeAppPolicies = {
    clientCredentialsEnabled: value('isClientCredentialsFlowEnabled') === 'true',
    permittedUsers:
      value('permittedUsersPolicyType') === 'AdminApprovedPreAuthorized'
        ? 'AdminApprovedPreAuthorized'
        : 'AllSelfAuthorized',
    permissionSets: (value('commaSeparatedPermissionSet') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  };
  const runAs = value('clientCredentialsFlowUser');
  if (runAs) policy.clientCredentialsUser = runAs;
  return policy;
}
