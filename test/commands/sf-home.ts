import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Points the sf state (~/.sf, ~/.sfdx, keychain) at a private temporary HOME so command tests
 * never touch the developer's real orgs. Must run before @salesforce/core reads any state.
 */
export async function useTemporarySfHome(): Promise<{ home: string; restore: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'tethr-sf-home-'));
  const saved = {
    HOME: process.env.HOME,
    SF_USE_GENERIC_UNIX_KEYCHAIN: process.env.SF_USE_GENERIC_UNIX_KEYCHAIN,
    SF_DISABLE_TELEMETRY: process.env.SF_DISABLE_TELEMETRY,
    SF_DISABLE_AUTOUPDATE: process.env.SF_DISABLE_AUTOUPDATE,
    SF_DISABLE_LOG_FILE: process.env.SF_DISABLE_LOG_FILE,
    TETHR_DEPLOY_POLL_MS: process.env.TETHR_DEPLOY_POLL_MS,
    TMPDIR: process.env.TMPDIR
  };
  process.env.HOME = home;
  process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
  process.env.SF_DISABLE_TELEMETRY = 'true';
  process.env.SF_DISABLE_AUTOUPDATE = 'true';
  process.env.SF_DISABLE_LOG_FILE = 'true';
  process.env.TETHR_DEPLOY_POLL_MS = '20';
  // A private temp directory per test file, so checks for leftover files see only this file's.
  await mkdir(join(home, 'tmp'), { mode: 0o700 });
  process.env.TMPDIR = join(home, 'tmp');
  return {
    home,
    restore: async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await rm(home, { recursive: true, force: true });
    }
  };
}

export const FAKE_ADMIN_USERNAME = 'admin@tethr-test.example';

/** Stores an sf auth (access token only) for the fake org, the way `sf org login access-token` does. */
export async function authenticateFakeOrg(
  instanceUrl: string,
  username = FAKE_ADMIN_USERNAME
): Promise<string> {
  const { AuthInfo, StateAggregator } = await import('@salesforce/core');
  const authInfo = await AuthInfo.create({
    username,
    accessTokenOptions: { accessToken: '00DFAKE!admin-session', instanceUrl, loginUrl: instanceUrl }
  });
  await authInfo.save({ orgId: '00D000000000001EAA', instanceUrl, username });
  StateAggregator.clearInstance();
  return username;
}
