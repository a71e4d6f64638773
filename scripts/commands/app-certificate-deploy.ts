import { readFile } from 'node:fs/promises';
import { Flags } from '@salesforce/sf-plugins-core';
import { DEFAULT_GLOBAL_SETTINGS_NAME, deployAppCertificate } from '../org/devhub-app.ts';
import { loadMessages } from '../shared/messages.ts';
import { envSection } from './env-vars.ts';
import { STATIC_HELP } from './shared-flags.ts';
import { spinnerProgress } from './step-rendering.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('devhub-app');

export interface AppCertificateDeployResult {
  settingsName: string;
  fingerprint: string;
  previousFingerprint?: string;
  deployId?: string;
  unchanged: boolean;
}

export default class AppCertificateDeploy extends TethrCommand<AppCertificateDeployResult> {
  public static override readonly summary =
    "Put the JWT certificate on the packaged app's global OAuth settings in Tethr's Dev Hub.";
  public static override readonly description =
    "Reads the app's current global OAuth settings in the Dev Hub (ExtlClntAppGlobalOauthSettings, which hold the one consumer every customer org shares), replaces only the certificate and deploys them back with the same consumer key and secret, so no customer's sign-in breaks. This enables the JWT bearer flow for every org that installed the package. Refuses when the Dev Hub does not return the consumer key (deploying without it would create a new consumer). Replacing the certificate switches every customer org to the new key pair at once: see the rotation steps in docs/tethr-engineers.md.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub --certificate ./secrets/tethr-jwt.crt'
  ];
  public static override readonly envVariablesSection = envSection('SF_TARGET_DEV_HUB');

  public static override readonly flags = {
    'target-dev-hub': Flags.requiredHub(STATIC_HELP),
    'api-version': Flags.orgApiVersion(),
    certificate: Flags.file({
      summary: 'PEM certificate (from `app-certificate create`).',
      required: true,
      exists: true
    }),
    'settings-name': Flags.string({
      summary: "Component name of the app's global OAuth settings in the Dev Hub.",
      default: DEFAULT_GLOBAL_SETTINGS_NAME
    })
  };

  public async run(): Promise<AppCertificateDeployResult> {
    const { flags } = await this.parse(AppCertificateDeploy);
    const pem = await readFile(flags.certificate, 'utf8').catch(() => '');
    if (!pem.includes('BEGIN CERTIFICATE'))
      throw messages.createError('error.CertificateUnreadable', [flags.certificate]);
    const conn = flags['target-dev-hub'].getConnection(flags['api-version']);
    const result = await deployAppCertificate(conn, pem, {
      settingsName: flags['settings-name'],
      onProgress: spinnerProgress(this)
    });
    if (result.unchanged) this.log(messages.getMessage('detail.certificateUnchanged', [result.fingerprint]));
    else
      this.logSuccess(
        messages.getMessage('success.certificateDeployed', [
          result.fingerprint,
          result.previousFingerprint ?? messages.getMessage('detail.none')
        ])
      );
    return {
      settingsName: result.settingsName,
      fingerprint: result.fingerprint,
      ...(result.previousFingerprint ? { previousFingerprint: result.previousFingerprint } : {}),
      ...(result.deploy ? { deployId: result.deploy.deployId } : {}),
      unchanged: result.unchanged
    };
  }
}
