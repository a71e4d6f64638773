import { Flags } from '@salesforce/sf-plugins-core';
import { DEFAULT_CALLBACK_URL } from '../org/deploy-plans.ts';

// Flags that several commands take with the same meaning: defined once so that their help texts
// and defaults cannot drift apart between commands.

/** The admin org a command works on, and the API version to talk to it with. */
export const targetOrgFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion()
};

export const callbackUrlFlag = Flags.string({
  summary: 'OAuth callback URL of the app (unused by the client credentials flow).',
  default: DEFAULT_CALLBACK_URL
});

/** Where the credentials bundle goes and whom it is encrypted to. */
export const bundleOutputFlags = {
  output: Flags.file({
    char: 'f',
    summary: 'Bundle file to write (default: tethr-<orgId>.credentials.json[.age]).'
  }),
  'encrypt-to': Flags.string({ summary: 'age recipient (age1...) to encrypt the bundle to.' })
};

export const existingIntegrationUserFlag = Flags.string({
  summary: 'Username of the integration user (default: the one `integration-user` created).'
});

/**
 * Runs a core check of a flag's value and names the flag in its error: core modules know no flag
 * names, but the person who typed the value must see which flag was wrong.
 */
export function checkFlag<T>(flag: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof Error) error.message = `${flag}: ${error.message}`;
    throw error;
  }
}
