import { after } from 'node:test';
import { seedScratchOrg, startFakeSalesforce, type FakeSalesforce } from '../servers/salesforce/index.ts';
import { authenticateFakeOrg } from './sf-home.ts';

/**
 * What every command test file starts from: a seeded fake scratch org with a stored sf auth for
 * it, stopped (and the real sf state given back) after the file's tests.
 */
export async function useAuthenticatedFakeOrg(env: {
  restore(): Promise<void>;
}): Promise<{ fake: FakeSalesforce; username: string }> {
  const fake = await startFakeSalesforce();
  seedScratchOrg(fake);
  const username = await authenticateFakeOrg(fake.url);
  after(async () => {
    await fake.stop();
    await env.restore();
  });
  return { fake, username };
}

export const INTEGRATION_USERNAME = 'tethr.integration@acme.example';

/** An API-only integration user as `tethr-sf integration-user` leaves it (alias tethrint). */
export function addIntegrationUser(fake: FakeSalesforce): void {
  const profile = fake.org.all('Profile')[0]!;
  fake.org.add('User', {
    Username: INTEGRATION_USERNAME,
    Alias: 'tethrint',
    ProfileId: profile.Id,
    IsActive: true
  });
}
