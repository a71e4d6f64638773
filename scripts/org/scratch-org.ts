import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Org, scratchOrgCreate } from '@salesforce/core';
import { loadMessages } from '../shared/messages.ts';
import { Duration } from '@salesforce/kit';
import { PROJECT_DIR } from './deploy.ts';

const messages = loadMessages('org-deploy');

export const SCRATCH_DEFINITION = 'config/project-scratch-def.json';
export const DEFAULT_SCRATCH_ALIAS = 'tethr-scratch';

export interface ScratchOrgResult {
  org: Org;
  username: string;
  created: boolean;
}

/**
 * Reuses the scratch org behind `alias` when it still answers, else creates one from
 * config/project-scratch-def.json. The org is created without the project's namespace: the
 * metadata is deployed unpackaged there, so names carry no tethr__ prefix.
 */
export async function ensureScratchOrg(hub: Org, alias: string, durationDays = 7): Promise<ScratchOrgResult> {
  const existing = await Org.create({ aliasOrUsername: alias }).catch(() => undefined);
  if (existing) {
    const alive = await existing
      .getConnection()
      .query('SELECT Id FROM Organization')
      .then(() => true)
      .catch(() => false);
    if (alive) return { org: existing, username: existing.getUsername() ?? alias, created: false };
  }
  if (
    !(await hub.determineIfDevHubOrg().then(
      () => true,
      () => false
    ))
  ) {
    throw messages.createError('error.NotADevHub', [hub.getUsername() ?? '?']);
  }
  const orgConfig = JSON.parse(await readFile(join(PROJECT_DIR, SCRATCH_DEFINITION), 'utf8')) as Record<
    string,
    unknown
  >;
  const result = await scratchOrgCreate({
    hubOrg: hub,
    orgConfig,
    nonamespace: true,
    alias,
    durationDays,
    wait: Duration.minutes(15),
    tracksSource: false
  });
  if (!result.username) {
    throw messages.createError('error.ScratchOrgCreateFailed', [], [alias]);
  }
  return {
    org: await Org.create({ aliasOrUsername: result.username }),
    username: result.username,
    created: true
  };
}
