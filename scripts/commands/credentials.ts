import { resolve } from 'node:path';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { collectBundle, defaultBundlePath } from '../org/collect-credentials.ts';
import { assertAgeRecipient, redactBundle, writeBundle } from '../org/credentials-bundle.ts';
import { bundleOutputFlags, checkFlag, existingIntegrationUserFlag, targetOrgFlags } from './shared-flags.ts';

export interface CredentialsResult {
  path: string;
  encrypted: boolean;
  bundle: Record<string, unknown>;
}

export default class Credentials extends SfCommand<CredentialsResult> {
  public static override readonly summary =
    'Read the app credentials from the org and write the Tethr credentials bundle.';
  public static override readonly description =
    'Reads the consumer key and secret of the External Client App Tethr_Integration through the Connect REST API, adds the org, user, namespace, event topic and enabled channels, and writes the bundle (JSON, mode 0600). With --encrypt-to the file is age-encrypted for Tethr. With --legacy-connected-app the values Salesforce does not hand out (secret, password, token) come from TETHR_CONSUMER_SECRET, TETHR_INTEGRATION_PASSWORD and TETHR_SECURITY_TOKEN. Secrets are never printed unless --show-secrets.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org my-scratch',
    '<%= config.bin %> <%= command.id %> --target-org prod --encrypt-to age1... --output acme.credentials.json.age'
  ];

  public static override readonly flags = {
    ...targetOrgFlags,
    ...bundleOutputFlags,
    'show-secrets': Flags.boolean({
      summary: 'Also print the secrets (for copying by hand; never in shared logs).'
    }),
    'legacy-connected-app': Flags.boolean({
      summary: 'Use the legacy Connected App and the username-password flow.'
    }),
    username: existingIntegrationUserFlag
  };

  public async run(): Promise<CredentialsResult> {
    const { flags } = await this.parse(Credentials);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    if (flags['encrypt-to'] !== undefined)
      checkFlag('--encrypt-to', () => assertAgeRecipient(flags['encrypt-to']!));
    this.spinner.start('Reading the app credentials');
    const bundle = await collectBundle(conn, {
      orgId: org.getOrgId(),
      legacyConnectedApp: flags['legacy-connected-app'],
      ...(flags.username ? { integrationUsername: flags.username } : {})
    });
    const encrypted = flags['encrypt-to'] !== undefined;
    const path = resolve(flags.output ?? defaultBundlePath(bundle.orgId, encrypted));
    await writeBundle(path, bundle, encrypted ? { encryptTo: flags['encrypt-to']! } : {});
    this.spinner.stop('done');

    const shown = flags['show-secrets'] ? { ...bundle } : redactBundle(bundle);
    if (flags['show-secrets'])
      this.warn('Secrets are shown below: do not paste this output into tickets or chats.');
    this.styledObject(shown as Record<string, string>);
    this.logSuccess(
      `Wrote the credentials bundle to ${path}${encrypted ? ' (age-encrypted)' : ' (mode 0600)'}.`
    );
    return { path, encrypted, bundle: shown };
  }
}
