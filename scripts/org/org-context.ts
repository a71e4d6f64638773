import type { Connection } from '@salesforce/core';
import { CHANNELS, type Channel } from './credentials-bundle.ts';

export const PACKAGE_NAMESPACE = 'tethr';

/**
 * 'tethr' when the managed package is installed (its permission set carries the namespace),
 * '' when the metadata is deployed unpackaged (scratch orgs) or not there yet.
 */
export async function detectNamespace(conn: Connection): Promise<'tethr' | ''> {
  const result = await conn.query<{ NamespacePrefix: string | null }>(
    `SELECT NamespacePrefix FROM PermissionSet WHERE Name = 'Tethr_Integration_User' AND NamespacePrefix = '${PACKAGE_NAMESPACE}'`
  );
  return result.records.length > 0 ? PACKAGE_NAMESPACE : '';
}

/**
 * Channels switched on in the Tethr_Channel__mdt records. If the type is not readable yet
 * (metadata not deployed), every channel counts as enabled: the bundle then names them all
 * and doctor shows which ones the org cannot serve.
 */
export async function enabledChannels(conn: Connection, namespace: string): Promise<Channel[]> {
  const prefix = namespace ? `${namespace}__` : '';
  try {
    const result = await conn.query<Record<string, unknown>>(
      `SELECT DeveloperName, ${prefix}Enabled__c FROM ${prefix}Tethr_Channel__mdt`
    );
    const enabled = result.records
      .filter((r) => r[`${prefix}Enabled__c`] === true)
      .map((r) => r.DeveloperName as Channel)
      .filter((name) => CHANNELS.includes(name));
    return CHANNELS.filter((c) => enabled.includes(c));
  } catch {
    return [...CHANNELS];
  }
}
