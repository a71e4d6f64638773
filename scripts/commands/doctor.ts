import { Flags } from '@salesforce/sf-plugins-core';
import { fromConnectionFile, type OrgConnection } from '../contracts/org-connection.ts';
import { tethrAppCredentialFromEnv } from '../org/app-credential.ts';
import { appVariantOf, buildConnectionFile } from '../org/connection-builder.ts';
import { readConnection } from '../org/connection-files.ts';
import { PROPAGATION_WINDOW_MS, runDoctor } from '../org/doctor.ts';
import { detectOrgShape } from '../org/org-shape.ts';
import { loadMessages } from '../shared/messages.ts';
import { AGE_VARS, APP_CREDENTIAL_VARS, envSection, LEGACY_VARS } from './env-vars.ts';
import { renderDiagnosis, spinnerProgress } from './step-rendering.ts';
import { connectionFlag, credentialsFlag, legacyConnectedAppFlag, STATIC_HELP } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('doctor-command');

export type DoctorCheckStatus = 'passed' | 'warning' | 'failed' | 'skipped';

export interface DoctorCommandResult {
  ok: boolean;
  orgId: string;
  instanceUrl: string;
  app: string;
  authFlow: string;
  checks: {
    check: string;
    status: DoctorCheckStatus;
    detail: string;
    diagnosis?: { code: string; cause: string; actions: string[] };
  }[];
}

const SYMBOL: Record<DoctorCheckStatus, string> = { passed: '✓', warning: '!', failed: '✗', skipped: '-' };

export default class Doctor extends TethrCommand<DoctorCommandResult> {
  public static override readonly summary =
    'Prove that Tethr can sign in and read every channel, the way Tethr will.';
  public static override readonly description =
    "With --connection: signs in exactly as Tethr does. For the packaged app that is Tethr's own credential from the environment (TETHR_SF_CONSUMER_KEY with TETHR_SF_JWT_KEY_FILE for the JWT bearer flow, or TETHR_SF_CONSUMER_SECRET for client credentials); for an org-local or legacy app, the credential in the file. A new app is retried while it propagates (up to 10 minutes, --wait). Then, as the integration user, it reads one closed conversation per channel selecting every field the relay reads, and the Conversation Closed event. With --target-org (an admin login) it also checks the org's side: channels, the Messaging extension, flows, the generated access permission set and its assignment, the app's OAuth policies and the event delivery allocation. Every failure names its cause and fix. Exits 1 when a check fails.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --connection tethr-00D5g000004abcD.connection.json',
    '<%= config.bin %> <%= command.id %> --connection acme.connection.json --target-org acme',
    '<%= config.bin %> <%= command.id %> --target-org acme'
  ];
  public static override readonly envVariablesSection = envSection(
    'SF_TARGET_ORG',
    ...APP_CREDENTIAL_VARS,
    ...AGE_VARS,
    ...LEGACY_VARS
  );

  public static override readonly flags = {
    connection: connectionFlag,
    credentials: { ...credentialsFlag, exclusive: ['connection'] },
    'target-org': Flags.optionalOrg({
      ...STATIC_HELP,
      summary:
        'Admin login of the org: adds the org-side checks (and builds the connection when none is given).'
    }),
    'api-version': Flags.orgApiVersion(),
    'legacy-connected-app': legacyConnectedAppFlag,
    wait: Flags.integer({
      char: 'w',
      summary: 'Minutes to keep retrying a consumer key the org does not know yet.',
      description:
        'A new or just installed app takes 2 to 10 minutes to propagate; until then Salesforce answers as if the key were wrong. 0 answers at once (for a key you know is old, or a script).',
      default: PROPAGATION_WINDOW_MS / 60_000,
      min: 0,
      max: 60,
      helpGroup: 'WAITING'
    })
  };

  public async run(): Promise<DoctorCommandResult> {
    const { flags } = await this.parse(Doctor);
    const file = flags.connection ?? flags.credentials;
    const admin = flags['target-org']?.getConnection(flags['api-version']);
    let connection: OrgConnection;
    if (file) {
      connection = await readConnection(file);
    } else if (admin && flags['target-org']) {
      this.spinner.start(messages.getMessage('progress.building'));
      const shape = await detectOrgShape(admin);
      connection = fromConnectionFile(
        await buildConnectionFile(admin, {
          orgId: flags['target-org'].getOrgId(),
          shape,
          app: appVariantOf(shape, flags['legacy-connected-app'])
        })
      );
      this.spinner.stop();
    } else {
      throw messages.createError('error.NothingToCheck');
    }
    const report = await runDoctor({
      connection,
      appCredential: tethrAppCredentialFromEnv(),
      ...(admin ? { adminConnection: admin } : {}),
      propagationWindowMs: flags.wait * 60_000,
      onProgress: spinnerProgress(this)
    });

    this.log(
      messages.getMessage('title', [
        connection.orgId,
        connection.instanceUrl,
        connection.app,
        connection.authFlow
      ])
    );
    for (const c of report.checks) this.log(`  ${SYMBOL[c.status]} ${c.check}: ${c.detail}`);
    for (const c of report.checks.filter((check) => check.diagnosis && check.status !== 'passed')) {
      renderDiagnosis(this, c.check, c.diagnosis!.cause, c.diagnosis!.actions);
    }
    if (report.ok) this.logSuccess(messages.getMessage('success'));
    else process.exitCode = 1;
    return {
      ok: report.ok,
      orgId: connection.orgId,
      instanceUrl: connection.instanceUrl,
      app: connection.app,
      authFlow: connection.authFlow,
      checks: report.checks
    };
  }
}
