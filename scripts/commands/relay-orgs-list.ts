import { openDatabase } from '../relay/service/database.ts';
import { TenantStore } from '../relay/service/tenant-store.ts';
import { databaseUrlFlag } from './relay-flags.ts';
import { envSection } from './env-vars.ts';
import { TethrCommand } from './tethr-command.ts';

/** One org of the relay service, as `relay orgs list` shows it (no secret). */
export interface RelayOrgListing {
  orgId: string;
  state: 'active' | 'removing';
  revision: number;
  instanceUrl: string | null;
  /** app variant and sign-in flow, e.g. "packaged (jwt_bearer)" */
  app: string | null;
  channels: string[];
  mode: string | null;
  sink: string | null;
  /** the replica holding a live lease, if any */
  owner: string | null;
  epoch: number;
  leaseExpiresAt: string | null;
  checkpointAt: string | null;
  /** dead letters not yet retried */
  deadLetters: number;
  updatedAt: string;
}

export type RelayOrgsListResult = RelayOrgListing[];

export default class RelayOrgsList extends TethrCommand<RelayOrgsListResult> {
  public static override readonly summary =
    'List the orgs of the relay service: who relays each, and how far.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json'
  ];

  public static override readonly envVariablesSection = envSection('TETHR_DATABASE_URL');

  public static override readonly flags = {
    'database-url': databaseUrlFlag
  };

  public async run(): Promise<RelayOrgsListResult> {
    const { flags } = await this.parse(RelayOrgsList);
    const database = await openDatabase(flags['database-url'], {
      applicationName: 'tethr-sf relay orgs list',
      max: 2
    });
    try {
      const orgs: RelayOrgListing[] = (await new TenantStore(database).list()).map((o) => ({ ...o }));
      this.table({
        title: `${orgs.length} org(s) in ${database.describe}`,
        data: orgs.map((o) => ({
          org: o.orgId,
          state: o.state,
          instance: o.instanceUrl ?? '(unreadable connection)',
          mode: o.mode ?? '',
          sink: o.sink ?? '',
          owner: o.owner ? `${o.owner} (epoch ${o.epoch})` : '(none)',
          checkpoint: o.checkpointAt ?? '(none)',
          'dead letters': o.deadLetters
        })),
        columns: ['org', 'state', 'instance', 'mode', 'sink', 'owner', 'checkpoint', 'dead letters']
      });
      return orgs;
    } finally {
      await database.close();
    }
  }
}
