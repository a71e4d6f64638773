import { Args } from '@oclif/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { access } from 'node:fs/promises';
import { orgKey } from '../contracts/org-connection.ts';
import { FileCheckpointStore } from '../relay/checkpoint-store.ts';
import { openDatabase } from '../relay/service/database.ts';
import { readPgCheckpoints } from '../relay/service/pg-checkpoint-store.ts';
import { loadMessages } from '../shared/messages.ts';
import { databaseUrlFlag } from './relay-flags.ts';
import { envSection } from './env-vars.ts';
import { TethrCommand } from './tethr-command.ts';

export interface CheckpointView {
  source: string;
  topic: string;
  /** base64, exactly as Pub/Sub sent it */
  replayId: string;
  updatedAt: string;
  acknowledged: number;
  epoch?: number;
  /** sends what closed since the checkpoint was written (after a rejected replay id, say) */
  backfillCommand: string;
}

export type RelayCheckpointShowResult = CheckpointView[];

const messages = loadMessages('relay');

export default class RelayCheckpointShow extends TethrCommand<RelayCheckpointShowResult> {
  public static override readonly summary =
    "Show a relay's checkpoint: replay id, when it was written, and the backfill that covers the time since.";
  public static override readonly description =
    'The checkpoint file is two CRC-checked slots, not JSON: this prints the valid, newest one. With --org-id and --database-url it shows the checkpoints `tethr-sf relay serve` keeps in PostgreSQL instead.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> .tethr/relay-00D5g000004abcDEAA.checkpoint',
    '<%= config.bin %> <%= command.id %> --org-id 00D5g000004abcD --json'
  ];

  public static override readonly args = {
    file: Args.file({ description: 'Checkpoint file written by `tethr-sf relay`.' })
  };

  public static override readonly envVariablesSection = envSection('TETHR_DATABASE_URL');

  public static override readonly flags = {
    'org-id': Flags.string({ summary: 'Org whose relay-service checkpoint to show (needs the database).' }),
    'database-url': databaseUrlFlag
  };

  public async run(): Promise<RelayCheckpointShowResult> {
    const { args, flags } = await this.parse(RelayCheckpointShow);
    let views: CheckpointView[];
    if (args.file) {
      await access(args.file).catch(() => {
        throw messages.createError('error.CheckpointNotFound', [args.file!]);
      });
      const checkpoint = await new FileCheckpointStore(args.file).read();
      if (!checkpoint) throw messages.createError('error.CheckpointNotFound', [args.file]);
      views = [
        {
          source: args.file,
          topic: checkpoint.topic,
          replayId: checkpoint.replayId.toString('base64'),
          updatedAt: checkpoint.updatedAt,
          acknowledged: checkpoint.acknowledged,
          backfillCommand: messages.getMessage('command.BackfillSince', [checkpoint.updatedAt])
        }
      ];
    } else if (flags['org-id']) {
      const database = await openDatabase(flags['database-url'], {
        applicationName: 'tethr-sf relay checkpoint show',
        max: 1
      });
      try {
        const org = orgKey(flags['org-id']);
        const rows = await readPgCheckpoints(database, flags['org-id']);
        if (rows.length === 0)
          throw messages.createError('error.CheckpointNotFound', [
            `org ${flags['org-id']} in ${database.describe}`
          ]);
        views = rows.map((row) => ({
          source: `${database.describe} (org ${org})`,
          topic: row.topic,
          replayId: row.replayId.toString('base64'),
          updatedAt: row.updatedAt,
          acknowledged: row.acknowledged,
          epoch: row.epoch,
          backfillCommand: messages.getMessage('command.BackfillSinceServiceOrg', [org, row.updatedAt])
        }));
      } finally {
        await database.close();
      }
    } else {
      throw messages.createError('error.CheckpointNotFound', ['(no file given)']);
    }
    for (const view of views) {
      this.log(`Checkpoint ${view.source}`);
      this.log(`  topic         ${view.topic}`);
      this.log(`  replay id     ${view.replayId} (base64)`);
      this.log(`  written at    ${view.updatedAt}`);
      this.log(`  acknowledged  ${view.acknowledged} events over its lifetime`);
      if (view.epoch !== undefined) this.log(`  lease epoch   ${view.epoch}`);
      this.log(`  To send what closed since then (e.g. after "replay id rejected"):`);
      this.log(`    ${view.backfillCommand}`);
    }
    return views;
  }
}
