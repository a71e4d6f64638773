import { Flags } from '@salesforce/sf-plugins-core';
import { AUTH_FLOWS } from '../contracts/connection-file.ts';
import { DEFAULT_CALLBACK_URL } from '../org/deploy-plans.ts';

// Flags that several commands take with the same meaning: defined once so that their help texts
// and defaults cannot drift apart between commands.

/**
 * Spread into sf's org and Dev Hub flags. They look the default org up to print it in --help
 * ("[default: admin@acme.com]"), which makes oclif load the command and sf's libraries for every
 * --help (about 0.7 s); without it help comes from the manifest. `sf config get target-org`
 * shows the default.
 */
export const STATIC_HELP = { defaultHelp: undefined };

/** The admin org a command works on, and the API version to talk to it with. */
export const targetOrgFlags = {
  'target-org': Flags.requiredOrg(STATIC_HELP),
  'api-version': Flags.orgApiVersion()
};

export const callbackUrlFlag = Flags.string({
  summary: 'OAuth callback URL of an org-local app (unused by the client credentials and JWT flows).',
  default: DEFAULT_CALLBACK_URL
});

/** Where the connection file goes and whom it is encrypted to. */
export const connectionOutputFlags = {
  output: Flags.file({
    char: 'f',
    summary: 'Connection file to write (default: tethr-<orgId>.connection.json[.age]).'
  }),
  'encrypt-to': Flags.string({
    summary: 'age recipient (age1...) to encrypt the file to; useful when it holds the org-local app secret.'
  })
};

export const authFlowFlag = Flags.option({
  summary: 'How Tethr signs in: jwt_bearer (recommended for the packaged app) or client_credentials.',
  options: AUTH_FLOWS.filter((f) => f !== 'password') as ['client_credentials', 'jwt_bearer']
})();

export const existingIntegrationUserFlag = Flags.string({
  summary: 'Username of the integration user (default: the one `integration-user` created).'
});

export const legacyConnectedAppFlag = Flags.boolean({
  summary:
    'LEGACY: use the seed-era Connected App and the username-password flow instead of the External Client App.'
});

/** The file that connects an org: a v2 connection file (or a legacy v1 bundle). */
export const connectionFlag = Flags.file({
  summary:
    'Connection file (tethr-salesforce-connection/v2) from `connection` or the setup page; a v1 bundle also works.',
  exists: true
});

/** LEGACY: the seed-era v1 credentials bundle. */
export const credentialsFlag = Flags.file({
  summary: 'LEGACY: credentials bundle (tethr-salesforce-credentials/v1), plain or age-encrypted.',
  exists: true
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

/** A shared flag listed under a help group in one command (sf's FLAGS sections): same definition. */
export function inGroup<F extends object>(flag: F, helpGroup: string): F {
  return { ...flag, helpGroup };
}
