import type { Connection } from '@salesforce/core';
import { PACKAGE_NAMESPACE, type Namespace } from '../contracts/api-names.ts';
import { CHANNEL_REGISTRY, CHANNELS, objectsRead, type Channel } from '../contracts/channels.ts';
import { soqlString } from './soql.ts';

// What the org in front of us really has, found out at run time (never assumed): which channel
// objects exist (Messaging and legacy Chat are feature-gated; many Service Cloud orgs have
// neither), whether the Tethr package is installed, and whether its Messaging extension is.

export interface ChannelPresence {
  channel: Channel;
  /** the channel's own object exists */
  present: boolean;
  /** objects the channel's fetchers read that the org lacks (empty when present and complete) */
  missingObjects: string[];
}

export interface OrgShape {
  /** every sObject name describeGlobal lists, as Salesforce spells them */
  objects: Set<string>;
  channels: ChannelPresence[];
  namespace: Namespace;
  /** names of installed packages in our namespace (base and extension), empty when unpackaged */
  installedPackages: string[];
  messagingExtensionInstalled: boolean;
}

export const BASE_PACKAGE_NAME = 'Tethr for Service Cloud';
export const MESSAGING_PACKAGE_NAME = 'Tethr for Service Cloud: Messaging';

interface DescribeGlobal {
  sobjects: { name: string }[];
}

/** The names of all sObjects the connection's user can see (one describeGlobal call). */
export async function describeObjectNames(conn: Connection): Promise<Set<string>> {
  const result = await conn.request<DescribeGlobal>(`/services/data/v${conn.getApiVersion()}/sobjects`);
  return new Set(result.sobjects.map((s) => s.name));
}

export function channelPresence(objects: Set<string>): ChannelPresence[] {
  return CHANNELS.map((channel) => {
    const present = objects.has(CHANNEL_REGISTRY[channel].object);
    return {
      channel,
      present,
      missingObjects: present ? objectsRead(channel).filter((o) => o !== 'User' && !objects.has(o)) : []
    };
  });
}

export async function detectOrgShape(conn: Connection): Promise<OrgShape> {
  const objects = await describeObjectNames(conn);
  const installedPackages = await installedTethrPackages(conn);
  const namespace = installedPackages.length > 0 ? PACKAGE_NAMESPACE : await detectNamespace(conn);
  return {
    objects,
    channels: channelPresence(objects),
    namespace,
    installedPackages,
    messagingExtensionInstalled: installedPackages.includes(MESSAGING_PACKAGE_NAME)
  };
}

export function presentChannels(shape: Pick<OrgShape, 'channels'>): Channel[] {
  return shape.channels.filter((c) => c.present).map((c) => c.channel);
}

/** The installed packages in the Tethr namespace (Tooling API InstalledSubscriberPackage). */
async function installedTethrPackages(conn: Connection): Promise<string[]> {
  try {
    const result = await conn.tooling.query<{
      SubscriberPackage?: { Name?: string; NamespacePrefix?: string | null };
    }>(
      'SELECT SubscriberPackageId, SubscriberPackage.Name, SubscriberPackage.NamespacePrefix FROM InstalledSubscriberPackage'
    );
    return result.records
      .filter((r) => r.SubscriberPackage?.NamespacePrefix === PACKAGE_NAMESPACE)
      .map((r) => r.SubscriberPackage?.Name ?? '')
      .filter(Boolean);
  } catch {
    // Not readable (no permission): fall back to looking for the namespaced permission set.
    return [];
  }
}

/**
 * 'tethr' when the managed package is installed (its permission set carries the namespace),
 * '' when the metadata is deployed unpackaged (scratch orgs) or not there yet.
 */
export async function detectNamespace(conn: Connection): Promise<Namespace> {
  const result = await conn.query<{ NamespacePrefix: string | null }>(
    `SELECT NamespacePrefix FROM PermissionSet WHERE Name = 'Tethr_Integration_User' AND NamespacePrefix = ${soqlString(PACKAGE_NAMESPACE)}`
  );
  return result.records.length > 0 ? PACKAGE_NAMESPACE : '';
}
