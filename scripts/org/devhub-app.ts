import type { Connection } from '@salesforce/core';
import { ECA_NAME } from '../contracts/api-names.ts';
import { loadMessages } from '../shared/messages.ts';
import { noProgress, type ProgressListener } from '../shared/step.ts';
import { deployMetadata, type DeployOutcome } from './deploy.ts';
import { fingerprintOf } from './jwt-certificate.ts';
import { readExternalClientAppCredentials } from './org-app-consumer.ts';

// Tethr's Dev Hub, where the packaged External Client App was created, holds its global OAuth
// settings: ONE consumer key, secret and certificate shared by every customer org that installs
// the package. Two things are done there, rarely and deliberately: put the JWT certificate on
// the app, and read the key and secret once into Tethr's secret store.

const messages = loadMessages('devhub-app');

/** The global OAuth settings' component name in the Dev Hub (the app's, unless created in Setup). */
export const DEFAULT_GLOBAL_SETTINGS_NAME = ECA_NAME;

interface GlobalSettingsRecord {
  fullName?: string;
  callbackUrl?: string;
  certificate?: string;
  consumerKey?: string;
  consumerSecret?: string;
  externalClientApplication?: string;
  isClientCredentialsFlowEnabled?: boolean | string;
  isConsumerSecretOptional?: boolean | string;
  isDeviceFlowEnabled?: boolean | string;
  isIntrospectAllTokens?: boolean | string;
  isPkceRequired?: boolean | string;
  isSecretRequiredForRefreshToken?: boolean | string;
  label?: string;
}

export interface CertificateDeployResult {
  settingsName: string;
  fingerprint: string;
  previousFingerprint?: string;
  deploy?: DeployOutcome;
  unchanged: boolean;
}

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const BOOLEAN_FIELDS = [
  'isClientCredentialsFlowEnabled',
  'isConsumerSecretOptional',
  'isDeviceFlowEnabled',
  'isIntrospectAllTokens',
  'isPkceRequired',
  'isSecretRequiredForRefreshToken'
] as const;

/**
 * The settings file to deploy: everything the org holds today, with only the certificate
 * replaced. The consumer key (and secret, when the read returned it) go back unchanged, because
 * global settings deployed without them would give the app a NEW consumer: every customer org's
 * sign-in would break at once.
 */
export function globalSettingsXml(current: GlobalSettingsRecord, certificatePem: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ExtlClntAppGlobalOauthSettings xmlns="http://soap.sforce.com/2006/04/metadata">'
  ];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') lines.push(`    <${name}>${xmlEscape(value)}</${name}>`);
  };
  add('callbackUrl', current.callbackUrl);
  // "the PEM-encoded certificate string" (Metadata API meta_extlclntappglobaloauthsettings), armour included.
  add('certificate', certificatePem.trim());
  add('consumerKey', current.consumerKey);
  add('consumerSecret', current.consumerSecret);
  add('externalClientApplication', current.externalClientApplication ?? ECA_NAME);
  add('isClientCredentialsFlowEnabled', String(current.isClientCredentialsFlowEnabled ?? true));
  for (const field of BOOLEAN_FIELDS.filter((f) => f !== 'isClientCredentialsFlowEnabled')) {
    if (current[field] !== undefined) add(field, String(current[field]));
  }
  add('label', current.label ?? 'Tethr Integration Global OAuth Settings');
  lines.push('</ExtlClntAppGlobalOauthSettings>', '');
  return lines.join('\n');
}

/** Puts the JWT certificate on the packaged app's global OAuth settings in the Dev Hub. */
export async function deployAppCertificate(
  conn: Connection,
  certificatePem: string,
  options: { settingsName?: string; onProgress?: ProgressListener } = {}
): Promise<CertificateDeployResult> {
  const progress = options.onProgress ?? noProgress;
  const settingsName = options.settingsName ?? DEFAULT_GLOBAL_SETTINGS_NAME;
  const step = 'App certificate';
  const fingerprint = fingerprintOf(certificatePem);
  progress({ step, phase: 'start', message: messages.getMessage('progress.reading') });
  let current: GlobalSettingsRecord | undefined;
  try {
    current = (await conn.metadata.read(
      'ExtlClntAppGlobalOauthSettings' as never,
      settingsName
    )) as unknown as GlobalSettingsRecord;
  } catch (error) {
    throw messages.createError(
      'error.SettingsUnreadable',
      [settingsName, (error as Error).message],
      [settingsName]
    );
  }
  if (!current?.fullName) throw messages.createError('error.SettingsMissing', [settingsName], [settingsName]);
  // Without the key, or the secret, in the deploy Salesforce could give the app a new consumer (or a
  // new secret): one for every customer org. UNCONFIRMED which it does; neither is risked.
  if (!current.consumerKey) throw messages.createError('error.ConsumerKeyHidden', [settingsName]);
  if (!current.consumerSecret) throw messages.createError('error.ConsumerSecretHidden', [settingsName]);
  const previousFingerprint = current.certificate ? safeFingerprint(current.certificate) : undefined;
  if (previousFingerprint === fingerprint) {
    progress({ step, phase: 'end' });
    return { settingsName, fingerprint, previousFingerprint, unchanged: true };
  }
  const deploy = await deployMetadata(conn, {
    sourcePaths: [],
    templates: [],
    generated: [
      {
        target: `extlClntAppGlobalOauthSets/${settingsName}.ecaGlblOauth-meta.xml`,
        content: globalSettingsXml(current, certificatePem)
      }
    ],
    step,
    onProgress: progress
  });
  return {
    settingsName,
    fingerprint,
    ...(previousFingerprint ? { previousFingerprint } : {}),
    deploy,
    unchanged: false
  };
}

function safeFingerprint(pem: string): string | undefined {
  try {
    const armoured = pem.includes('BEGIN CERTIFICATE')
      ? pem
      : `-----BEGIN CERTIFICATE-----\n${pem}\n-----END CERTIFICATE-----\n`;
    return fingerprintOf(armoured);
  } catch {
    return undefined;
  }
}

export interface AppCredentialRead {
  consumerKey: string;
  consumerSecret: string;
}

/** Reads the packaged app's one consumer key and secret in the Dev Hub (Connect REST). */
export async function readPackagedAppCredential(conn: Connection): Promise<AppCredentialRead> {
  const consumer = await readExternalClientAppCredentials(conn, '');
  return { consumerKey: consumer.consumerKey, consumerSecret: consumer.consumerSecret };
}

/** The environment file Tethr's services load: the app credential, nothing else. */
export function appCredentialEnvFile(credential: AppCredentialRead, jwtKeyFile?: string): string {
  const lines = [
    "# The packaged Tethr External Client App credential, read from Tethr's Dev Hub.",
    '# One credential for every customer org: keep it in the secret store, never in a repository.',
    `TETHR_SF_CONSUMER_KEY=${credential.consumerKey}`,
    `TETHR_SF_CONSUMER_SECRET=${credential.consumerSecret}`
  ];
  if (jwtKeyFile) lines.push(`TETHR_SF_JWT_KEY_FILE=${jwtKeyFile}`);
  return `${lines.join('\n')}\n`;
}
