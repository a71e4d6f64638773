import { toHelpSection } from '@salesforce/sf-plugins-core';

// Every environment variable a command reads, described once; each command lists the ones it
// reads in its ENVIRONMENT VARIABLES help section, as sf's own commands do.

export const ENV_VARS = {
  SF_TARGET_ORG: 'Username or alias of the org to use when --target-org is not given (sf CLI config).',
  SF_TARGET_DEV_HUB:
    'Username or alias of the Dev Hub to use when --target-dev-hub is not given (sf CLI config).',
  TETHR_SF_CONSUMER_KEY:
    "Consumer key of the packaged Tethr External Client App (Tethr's Dev Hub). Tethr-held.",
  TETHR_SF_CONSUMER_SECRET:
    'Consumer secret of the packaged app, for the client credentials flow. Tethr-held.',
  TETHR_SF_JWT_KEY_FILE:
    "Path to the PEM private key of the packaged app's certificate, for the JWT bearer flow (mode 0600). Tethr-held.",
  TETHR_AGE_IDENTITY: 'age identity (AGE-SECRET-KEY-1...) that decrypts an encrypted connection file.',
  TETHR_AGE_IDENTITY_FILE: 'File holding the age identity (mode 0600), instead of TETHR_AGE_IDENTITY.',
  TETHR_CONSUMER_SECRET:
    'Legacy Connected App only: its consumer secret, copied from Setup (Salesforce never returns it through an API).',
  TETHR_INTEGRATION_PASSWORD: "Legacy Connected App only: the integration user's password.",
  TETHR_SECURITY_TOKEN: "Legacy Connected App only: the integration user's security token (may be empty).",
  TETHR_API_URL:
    "Tethr's API, e.g. https://yourcompany.Audio.Tethr.com (for --sink tethr and Tethr status checks).",
  TETHR_API_CLIENT_ID: "Client id of Tethr's API credentials.",
  TETHR_API_CLIENT_SECRET: "Client secret of Tethr's API credentials.",
  TETHR_DATABASE_URL: 'PostgreSQL URL of the relay service (postgres://user:password@host:5432/db).'
} as const;

export type EnvVar = keyof typeof ENV_VARS;

export function envSection(...names: EnvVar[]): ReturnType<typeof toHelpSection> {
  return toHelpSection('ENVIRONMENT VARIABLES', Object.fromEntries(names.map((n) => [n, ENV_VARS[n]])));
}

export const APP_CREDENTIAL_VARS: EnvVar[] = [
  'TETHR_SF_CONSUMER_KEY',
  'TETHR_SF_JWT_KEY_FILE',
  'TETHR_SF_CONSUMER_SECRET'
];
export const AGE_VARS: EnvVar[] = ['TETHR_AGE_IDENTITY', 'TETHR_AGE_IDENTITY_FILE'];
/** Tethr's API credentials: what the tethr sink and the status checks sign in with. */
export const TETHR_API_VARS: EnvVar[] = ['TETHR_API_URL', 'TETHR_API_CLIENT_ID', 'TETHR_API_CLIENT_SECRET'];
export const LEGACY_VARS: EnvVar[] = [
  'TETHR_CONSUMER_SECRET',
  'TETHR_INTEGRATION_PASSWORD',
  'TETHR_SECURITY_TOKEN'
];
