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
