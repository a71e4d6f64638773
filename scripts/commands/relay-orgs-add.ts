import { Flags } from '@salesforce/sf-plugins-core';
import { openDatabase } from '../relay/service/database.ts';
import { DEFAULT_ORG_OPTIONS, parseOrgOptions } from '../relay/service/org-options.ts';
import { TenantStore } from '../relay/service/tenant-store.ts';
import { DEFAULT_CONNECT_HOURLY_LIMIT } from '../relay/connect-budget.ts';
import { sinkFlag } from './delivery-flags.ts';
import { durationFlag, parseDuration } from './duration-flag.ts';
import { loadConnection } from './relay-connection.ts';
import { AGE_VARS, envSection } from './env-vars.ts';
import { connectionFlags } from './window-flags.ts';
import {
  databaseUrlFlag,
  modeFlag,
  numRequestedFlag,
  onInvalidReplayFlag,
  sessionIdFlag,
  startAtFlag,
  tethrConcurrencyFlag
} from './relay-flags.ts';
import { TethrCommand } from './tethr-command.ts';

/** The options stored for the org (what `relay serve` does for it). */
export interface RelayOrgOptionsResult {
  mode: 'transcripts' | 'events';
  sink: string;
  sessionIdScheme: 'org-and-record' | 'record-id';
  startAt: 'latest' | 'earliest';
  onInvalidReplay: 'earliest' | 'latest' | 'fail';
  numRequested: number;
  tethrConcurrency: number;
  connectHourlyLimit: number;
  tethrUrl?: string;
  /** scheduled reconciliation: every this many seconds (0: never) */
  verifyEverySeconds: number;
  /** over a window this long */
  verifyWindowSeconds: number;
  /** that ended this long before the run */
  verifyLagSeconds: number;
  /** and the missing ones are sent again */
  verifyResend: boolean;
}

export interface RelayOrgsAddResult {
  /** the 15-character org id the service keys the org by */
  orgId: string;
  outcome: 'added' | 'updated' | 'unchanged';
  options: RelayOrgOptionsResult;
}

export default class RelayOrgsAdd extends TethrCommand<RelayOrgsAddResult> {
  public static override readonly summary = 'Add an org to the relay service, or change its options.';
  public static override readonly description =
    "Stores the org's connection and options in the relay database. Running replicas of `tethr-sf relay serve` pick it up at once; adding an org that is already there replaces its connection and options, and its relay restarts with them. The database then holds what the connection file holds (for local and legacy apps, their consumer secret): protect it like the files.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --connection ./acme.tethr-connection.json',
    '<%= config.bin %> <%= command.id %> --credentials ./acme.credentials.json --mode events --sink ndjson:/var/lib/tethr/acme.ndjson',
    '<%= config.bin %> <%= command.id %> --connection ./acme-sandbox.json --session-id record-id',
    '<%= config.bin %> <%= command.id %> --connection ./acme.tethr-connection.json --verify-every 1h --verify-window 24h --verify-resend'
  ];

  public static override readonly envVariablesSection = envSection('TETHR_DATABASE_URL', ...AGE_VARS);

  public static override readonly flags = {
    ...connectionFlags,
    mode: modeFlag,
    sink: sinkFlag,
    'session-id': sessionIdFlag,
    'start-at': startAtFlag,
    'on-invalid-replay': onInvalidReplayFlag,
    'num-requested': numRequestedFlag,
    'tethr-concurrency': tethrConcurrencyFlag,
    'connect-hourly-limit': Flags.integer({
      summary:
        'Connect API conversation-entries calls per hour this org may spend (Salesforce allows 1,000 by default).',
      min: 1,
      default: DEFAULT_CONNECT_HOURLY_LIMIT
    }),
    'tethr-url': Flags.string({ summary: "This org's Tethr instance, when it is not TETHR_API_URL." }),
    'verify-every': durationFlag({
      summary:
        "Reconcile the org with Tethr this often (`relay serve` checks what closed against Tethr's status API): 30m, 1h, 1d; 0 or off: never. Transcripts to Tethr only.",
      default: '1h',
      helpGroup: 'SCHEDULED VERIFY'
    }),
    'verify-window': durationFlag({
      summary: 'How far back each reconciliation looks.',
      default: '24h',
      helpGroup: 'SCHEDULED VERIFY'
    }),
    'verify-lag': durationFlag({
      summary:
        'The window ends this long before the run, so conversations still on their way are not counted as missing.',
      default: '15m',
      helpGroup: 'SCHEDULED VERIFY'
    }),
    'verify-resend': Flags.boolean({
      summary:
        'Send what a reconciliation finds missing through the normal delivery path (same mapping, sink and session id).',
      helpGroup: 'SCHEDULED VERIFY'
    }),
    'database-url': databaseUrlFlag
  };

  public async run(): Promise<RelayOrgsAddResult> {
    const { flags } = await this.parse(RelayOrgsAdd);
    const { connection, document } = await loadConnection(flags);
    const options = parseOrgOptions({
      ...DEFAULT_ORG_OPTIONS,
      mode: flags.mode,
      sink: flags.sink,
      sessionIdScheme: flags['session-id'],
      startAt: flags['start-at'],
      onInvalidReplay: flags['on-invalid-replay'],
      numRequested: flags['num-requested'],
      tethrConcurrency: flags['tethr-concurrency'],
      connectHourlyLimit: flags['connect-hourly-limit'],
      ...(flags['tethr-url'] ? { tethrUrl: flags['tethr-url'] } : {}),
      verifyEverySeconds: parseDuration(flags['verify-every'], '--verify-every', true),
      verifyWindowSeconds: parseDuration(flags['verify-window'], '--verify-window'),
      verifyLagSeconds: parseDuration(flags['verify-lag'], '--verify-lag', true),
      verifyResend: flags['verify-resend']
    });
    const database = await openDatabase(flags['database-url'], {
      applicationName: 'tethr-sf relay orgs add',
      max: 2
    });
    try {
      const outcome = await new TenantStore(database).put(connection, document, options);
      const orgId = connection.orgId.slice(0, 15);
      this.logSuccess(
        outcome === 'added'
          ? `Added org ${orgId} (${connection.instanceUrl}): ${options.mode} to ${options.sink}.`
          : outcome === 'updated'
            ? `Updated org ${orgId}: its relay restarts with the new connection and options.`
            : `Org ${orgId} is already there with this connection and these options.`
      );
      const shown: RelayOrgOptionsResult = {
        mode: options.mode,
        sink: options.sink,
        sessionIdScheme: options.sessionIdScheme,
        startAt: options.startAt,
        onInvalidReplay: options.onInvalidReplay,
        numRequested: options.numRequested,
        tethrConcurrency: options.tethrConcurrency,
        connectHourlyLimit: options.connectHourlyLimit,
        ...(options.tethrUrl ? { tethrUrl: options.tethrUrl } : {}),
        verifyEverySeconds: options.verifyEverySeconds,
        verifyWindowSeconds: options.verifyWindowSeconds,
        verifyLagSeconds: options.verifyLagSeconds,
        verifyResend: options.verifyResend
      };
      return { orgId, outcome, options: shown };
    } finally {
      await database.close();
    }
  }
}
