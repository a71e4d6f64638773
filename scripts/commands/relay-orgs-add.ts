import { Flags } from '@salesforce/sf-plugins-core';
import { openDatabase } from '../relay/service/database.ts';
import { DEFAULT_ORG_OPTIONS, parseOrgOptions } from '../relay/service/org-options.ts';
import { TenantStore } from '../relay/service/tenant-store.ts';
import { DEFAULT_CONNECT_HOURLY_LIMIT } from '../relay/connect-budget.ts';
import { sinkFlag } from './delivery-flags.ts';
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
    '<%= config.bin %> <%= command.id %> --connection ./acme-sandbox.json --session-id record-id'
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
      ...(flags['tethr-url'] ? { tethrUrl: flags['tethr-url'] } : {})
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
        ...(options.tethrUrl ? { tethrUrl: options.tethrUrl } : {})
      };
      return { orgId, outcome, options: shown };
    } finally {
      await database.close();
    }
  }
}
