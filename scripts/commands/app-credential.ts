import { resolve } from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import { redactKey } from '../contracts/connection-file.ts';
import { appCredentialEnvFile, readPackagedAppCredential } from '../org/devhub-app.ts';
import { loadMessages } from '../shared/messages.ts';
import { writePrivateFileAtomic } from '../shared/private-file.ts';
import { envSection } from './env-vars.ts';
import { STATIC_HELP } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('devhub-app');

export interface AppCredentialResult {
  output: string;
  consumerKey: string;
}

export default class AppCredential extends TethrCommand<AppCredentialResult> {
  public static override readonly summary =
    "Read the packaged app's consumer key and secret in Tethr's Dev Hub, once, into a 0600 env file.";
  public static override readonly description =
    "The packaged External Client App has one consumer, in the Dev Hub where it was created; every customer org that installs the package shares it, and no customer org can read it. This reads its key and secret through the Connect REST credentials API of the Dev Hub and writes them as TETHR_SF_CONSUMER_KEY and TETHR_SF_CONSUMER_SECRET to an env file (mode 0600) for Tethr's secret store. Nothing secret is printed unless --show-secrets.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub --output ./secrets/tethr-app.env',
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub --output ./secrets/tethr-app.env --jwt-key-file /run/secrets/tethr-jwt.key'
  ];
  public static override readonly envVariablesSection = envSection('SF_TARGET_DEV_HUB');

  public static override readonly flags = {
    'target-dev-hub': Flags.requiredHub(STATIC_HELP),
    'api-version': Flags.orgApiVersion(),
    output: Flags.file({ char: 'f', summary: 'Env file to write (mode 0600).', required: true }),
    'jwt-key-file': Flags.string({
      summary: 'Also write TETHR_SF_JWT_KEY_FILE with this path (where the services find the private key).'
    }),
    'show-secrets': Flags.boolean({ summary: 'Also print the secret.' })
  };

  public async run(): Promise<AppCredentialResult> {
    const { flags } = await this.parse(AppCredential);
    const conn = flags['target-dev-hub'].getConnection(flags['api-version']);
    this.spinner.start(messages.getMessage('progress.readingCredential'));
    const credential = await readPackagedAppCredential(conn);
    const output = resolve(flags.output);
    await writePrivateFileAtomic(output, appCredentialEnvFile(credential, flags['jwt-key-file']));
    this.spinner.stop();
    if (flags['show-secrets']) {
      this.warn(messages.getMessage('warning.secretShown'));
      this.log(`TETHR_SF_CONSUMER_SECRET=${credential.consumerSecret}`);
    }
    this.logSuccess(
      messages.getMessage('success.credentialWritten', [output, redactKey(credential.consumerKey)])
    );
    return { output, consumerKey: redactKey(credential.consumerKey) };
  }
}
