import { Flags } from '@salesforce/sf-plugins-core';
import { openDatabase } from '../relay/service/database.ts';
import { TenantStore } from '../relay/service/tenant-store.ts';
import { loadMessages } from '../shared/messages.ts';
import { databaseUrlFlag } from './relay-flags.ts';
import { envSection } from './env-vars.ts';
import { TethrCommand } from './tethr-command.ts';

export interface RelayOrgsRemoveResult {
  orgId: string;
  /** removed at once, or being drained by the replica that relays it (removed after its last checkpoint) */
  outcome: 'removed' | 'removing';
}

const messages = loadMessages('relay');

export default class RelayOrgsRemove extends TethrCommand<RelayOrgsRemoveResult> {
  public static override readonly summary = 'Stop relaying an org and remove it from the relay service.';
  public static override readonly description =
    'An org that a replica relays is drained first (in-flight deliveries finish, the checkpoint is written), then removed; one nobody relays is removed at once. Its checkpoint stays in the database, so adding the org again within 72 hours resumes where it stopped.';
  public static override readonly examples = ['<%= config.bin %> <%= command.id %> --org-id 00D5g000004abcD'];

  public static override readonly envVariablesSection = envSection('TETHR_DATABASE_URL');

  public static override readonly flags = {
    'org-id': Flags.string({ summary: 'The org to remove (15 or 18 characters).', required: true }),
    'database-url': databaseUrlFlag
  };

  public async run(): Promise<RelayOrgsRemoveResult> {
    const { flags } = await this.parse(RelayOrgsRemove);
    const database = await openDatabase(flags['database-url'], {
      applicationName: 'tethr-sf relay orgs remove',
      max: 2
    });
    try {
      const outcome = await new TenantStore(database).remove(flags['org-id']);
      const orgId = flags['org-id'].slice(0, 15);
      if (outcome === 'not-found') throw messages.createError('error.OrgNotFound', [orgId]);
      this.logSuccess(
        outcome === 'removed'
          ? `Removed org ${orgId}.`
          : `Org ${orgId} is being drained by its replica; it is removed once its last checkpoint is written.`
      );
      return { orgId, outcome };
    } finally {
      await database.close();
    }
  }
}
