import { SfCommand } from '@salesforce/sf-plugins-core';
import { openDatabase } from '../relay/service/database.ts';
import { TenantStore, type TenantListing } from '../relay/service/tenant-store.ts';
import { databaseUrlFlag } from './relay-flags.ts';

export type RelayOrgsListResult = TenantListing[];

export default class RelayOrgsList extends SfCommand<RelayOrgsListResult> {
  public static override readonly summary =
    'List the orgs of the relay service: who relays each, and how far.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json'
  ];

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
      const orgs = await new TenantStore(database).list();
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
