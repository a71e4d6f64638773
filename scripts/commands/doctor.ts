import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { SfError } from '@salesforce/core/sfError';
import { collectBundle } from '../org/collect-credentials.ts';
import { readBundle, type CredentialsBundle } from '../org/credentials-bundle.ts';
import { runDoctor, type DoctorReport } from '../org/doctor.ts';
import type { Connection } from '@salesforce/core';
import { spinnerProgress } from './step-rendering.ts';

const STATUS: Record<string, string> = {
  passed: '✓ passed',
  warning: '! warning',
  failed: '✗ failed',
  skipped: '- skipped'
};

export default class Doctor extends SfCommand<DoctorReport> {
  public static override readonly summary =
    'Prove that Tethr can log in and read conversations with the credentials bundle.';
  public static override readonly description =
    "Obtains a token with the bundle's own credentials (client credentials against the My Domain host, or the legacy username-password flow), retrying while a new app propagates (up to 10 minutes). Then, as the integration user, reads one closed conversation per enabled channel and the Conversation Closed event; with --target-org it also checks that the flows are active and the daily event delivery allocation. Every failure names its known cause and fix.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --credentials tethr-00D....credentials.json',
    '<%= config.bin %> <%= command.id %> --target-org my-scratch'
  ];

  public static override readonly flags = {
    'target-org': Flags.optionalOrg({
      summary: 'Org to read the credentials from (also enables the flow and allocation checks).'
    }),
    'api-version': Flags.orgApiVersion(),
    credentials: Flags.file({
      summary:
        'Credentials bundle to check (plain or age-encrypted; identity from TETHR_AGE_IDENTITY[_FILE]).',
      exists: true
    }),
    'legacy-connected-app': Flags.boolean({
      summary: 'With --target-org: check the legacy Connected App instead of the External Client App.'
    })
  };

  public async run(): Promise<DoctorReport> {
    const { flags } = await this.parse(Doctor);
    let bundle: CredentialsBundle;
    let adminConnection: Connection | undefined;
    if (flags.credentials) {
      bundle = await readBundle(flags.credentials);
      adminConnection = flags['target-org']?.getConnection(flags['api-version']);
    } else if (flags['target-org']) {
      adminConnection = flags['target-org'].getConnection(flags['api-version']);
      bundle = await collectBundle(adminConnection, {
        orgId: flags['target-org'].getOrgId(),
        legacyConnectedApp: flags['legacy-connected-app']
      });
    } else {
      throw new SfError(
        'Nothing to check: give --credentials <bundle file> or --target-org <org>.',
        'NothingToCheck',
        [
          'Run `tethr-sf doctor --credentials <file>` with the bundle Tethr received, or `--target-org <alias>` as an admin of the org.'
        ]
      );
    }

    const report = await runDoctor({
      bundle,
      ...(adminConnection ? { adminConnection } : {}),
      onProgress: spinnerProgress(this)
    });
    this.table({
      title: `Tethr doctor: ${bundle.orgId} (${bundle.myDomainUrl})`,
      data: report.checks.map((c) => ({
        check: c.check,
        status: STATUS[c.status] ?? c.status,
        detail: c.detail
      })),
      columns: ['check', 'status', 'detail']
    });
    for (const check of report.checks.filter((c) => c.diagnosis)) {
      this.log(`\n${check.check}: ${check.diagnosis!.cause}`);
      for (const action of check.diagnosis!.actions) this.log(`  → ${action}`);
    }
    if (report.ok) {
      this.logSuccess('Tethr can log in and read conversations.');
    } else {
      process.exitCode = 1;
    }
    return report;
  }
}
