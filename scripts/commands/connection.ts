import { resolve } from 'node:path';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { redactConnection, type AppVariant, type AuthFlow } from '../contracts/connection-file.ts';
import { appVariantOf, buildConnectionFile } from '../org/connection-builder.ts';
import { assertAgeRecipient, defaultConnectionPath, writeConnectionFile } from '../org/connection-files.ts';
import { detectOrgShape } from '../org/org-shape.ts';
import { loadMessages } from '../shared/messages.ts';
import { AGE_VARS, envSection, LEGACY_VARS } from './env-vars.ts';
import {
  authFlowFlag,
  checkFlag,
  connectionOutputFlags,
  existingIntegrationUserFlag,
  legacyConnectedAppFlag,
  targetOrgFlags,
  inGroup
} from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('connection');

export interface ConnectionCommandResult {
  path: string;
  encrypted: boolean;
  app: AppVariant;
  authFlow: AuthFlow;
  /** the file's content; secret fields redacted unless --show-secrets */
  connection: Record<string, unknown>;
}

export default class Connection extends TethrCommand<ConnectionCommandResult> {
  public static override readonly summary = 'Write the connection file that connects this org to Tethr.';
  public static override readonly description =
    "Writes tethr-salesforce-connection/v2 for the org's app variant. Packaged (the Tethr package is installed): the file holds no secret at all, because the packaged app's one consumer lives in Tethr's Dev Hub and Tethr already holds its credential; it is safe to e-mail, and the Tethr Setup page offers the same file as a download. Local (an org-local External Client App in a scratch org, sandbox or unpackaged deploy): the file also holds the org's own consumer key and secret, read through the Connect REST API; it is written mode 0600 and can be age-encrypted. Legacy Connected App: the seed's credentials, with the values Salesforce does not hand out taken from environment variables. Secrets are never printed unless --show-secrets.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org acme',
    '<%= config.bin %> <%= command.id %> --target-org acme --auth-flow client_credentials --output acme.connection.json',
    '<%= config.bin %> <%= command.id %> --target-org my-scratch --encrypt-to age1...'
  ];
  public static override readonly envVariablesSection = envSection(
    'SF_TARGET_ORG',
    ...LEGACY_VARS,
    ...AGE_VARS
  );

  public static override readonly flags = {
    ...targetOrgFlags,
    'auth-flow': inGroup(authFlowFlag, 'OAUTH APP'),
    username: inGroup(existingIntegrationUserFlag, 'INTEGRATION USER'),
    'legacy-connected-app': inGroup(legacyConnectedAppFlag, 'OAUTH APP'),
    output: inGroup(connectionOutputFlags.output, 'CONNECTION FILE'),
    'encrypt-to': inGroup(connectionOutputFlags['encrypt-to'], 'CONNECTION FILE'),
    'show-secrets': Flags.boolean({
      summary: 'Also print secret fields (for copying by hand; never in shared logs).',
      helpGroup: 'CONNECTION FILE'
    })
  };

  public async run(): Promise<ConnectionCommandResult> {
    const { flags } = await this.parse(Connection);
    return writeConnection(this, flags);
  }
}

export interface ConnectionFlags {
  'target-org': import('@salesforce/core').Org;
  'api-version'?: string | undefined;
  output?: string | undefined;
  'encrypt-to'?: string | undefined;
  'auth-flow'?: 'client_credentials' | 'jwt_bearer' | undefined;
  username?: string | undefined;
  'legacy-connected-app': boolean;
  'show-secrets': boolean;
}

/** The work of `connection` (and its legacy alias `credentials`). */
export async function writeConnection(
  command: SfCommand<unknown>,
  flags: ConnectionFlags
): Promise<ConnectionCommandResult> {
  if (flags['encrypt-to'] !== undefined)
    checkFlag('--encrypt-to', () => assertAgeRecipient(flags['encrypt-to']!));
  const org = flags['target-org'];
  const conn = org.getConnection(flags['api-version']);
  command.spinner.start(messages.getMessage('progress.reading'));
  const shape = await detectOrgShape(conn);
  const app = appVariantOf(shape, flags['legacy-connected-app']);
  const file = await buildConnectionFile(conn, {
    orgId: org.getOrgId(),
    shape,
    app,
    ...(flags['auth-flow'] ? { authFlow: flags['auth-flow'] } : {}),
    ...(flags.username ? { integrationUsername: flags.username } : {})
  });
  const encrypted = flags['encrypt-to'] !== undefined;
  const path = resolve(flags.output ?? defaultConnectionPath(file.orgId, encrypted));
  await writeConnectionFile(path, file, encrypted ? { encryptTo: flags['encrypt-to']! } : {});
  command.spinner.stop();

  const shown = flags['show-secrets'] ? { ...file } : redactConnection(file);
  if (app === 'packaged') command.log(messages.getMessage('packaged'));
  if (flags['show-secrets'] && app !== 'packaged') command.warn(messages.getMessage('warning.secretsShown'));
  command.styledObject(shown as Record<string, string>);
  command.logSuccess(
    messages.getMessage(
      app === 'packaged' ? 'success.packaged' : encrypted ? 'success.encrypted' : 'success.secret',
      [path]
    )
  );
  return { path, encrypted, app, authFlow: file.authFlow, connection: shown };
}
