import { lstat, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import { generateKeyPair } from '../org/jwt-certificate.ts';
import { loadMessages } from '../shared/messages.ts';
import { writePrivateFileAtomic } from '../shared/private-file.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('devhub-app');

export interface AppCertificateCreateResult {
  privateKeyFile: string;
  certificateFile: string;
  fingerprint: string;
  notAfter: string;
}

export default class AppCertificateCreate extends TethrCommand<AppCertificateCreateResult> {
  public static override readonly summary =
    "Create the JWT bearer key pair for the packaged app (Tethr's side).";
  public static override readonly description =
    "Generates a 2048-bit RSA private key (written mode 0600, never printed unless --show-private-key) and a self-signed certificate for it. The certificate goes on the packaged External Client App's global OAuth settings in Tethr's Dev Hub (`app-certificate deploy`); the private key goes into Tethr's secret store and is what TETHR_SF_JWT_KEY_FILE points to. One key pair signs in to every customer org, so existing files are never overwritten.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --output-dir ./secrets',
    '<%= config.bin %> <%= command.id %> --output-dir ./secrets --name tethr-jwt-2027 --days 730'
  ];

  public static override readonly flags = {
    'output-dir': Flags.directory({ summary: 'Where to write <name>.key and <name>.crt.', default: '.' }),
    name: Flags.string({ summary: 'Base name of the two files.', default: 'tethr-jwt' }),
    days: Flags.integer({ summary: 'How long the certificate is valid.', default: 730, min: 1, max: 3650 }),
    'common-name': Flags.string({
      summary: "The certificate's subject common name.",
      default: 'Tethr Salesforce JWT'
    }),
    'show-private-key': Flags.boolean({
      summary: 'Also print the private key (for a secret store that takes pasted text).'
    })
  };

  public async run(): Promise<AppCertificateCreateResult> {
    const { flags } = await this.parse(AppCertificateCreate);
    const privateKeyFile = resolve(join(flags['output-dir'], `${flags.name}.key`));
    const certificateFile = resolve(join(flags['output-dir'], `${flags.name}.crt`));
    for (const file of [privateKeyFile, certificateFile]) {
      if (
        await lstat(file).then(
          () => true,
          () => false
        )
      )
        throw messages.createError('error.OutputExists', [file]);
    }
    const pair = generateKeyPair({ commonName: flags['common-name'], days: flags.days });
    // The certificate first: if it cannot be written, no private key is left behind for a re-run
    // to trip over (OutputExists); if the key then fails, the certificate without it goes too.
    await writeFile(certificateFile, pair.certificatePem, { mode: 0o644, flag: 'wx' });
    try {
      await writePrivateFileAtomic(privateKeyFile, pair.privateKeyPem);
    } catch (error) {
      await rm(certificateFile, { force: true });
      throw error;
    }
    this.styledObject({
      'private key (0600)': privateKeyFile,
      certificate: certificateFile,
      'SHA-256 fingerprint': pair.fingerprint,
      'valid until': pair.notAfter.toISOString()
    });
    if (flags['show-private-key']) {
      this.warn(messages.getMessage('warning.privateKeyShown'));
      this.log(pair.privateKeyPem);
    }
    this.logSuccess(messages.getMessage('success.created', [certificateFile]));
    return {
      privateKeyFile,
      certificateFile,
      fingerprint: pair.fingerprint,
      notAfter: pair.notAfter.toISOString()
    };
  }
}
