import { Flags } from '@salesforce/sf-plugins-core';
import type { DeadLetterReason } from '../relay/dead-letters.ts';
import { parseIsoInstant } from '../shared/iso-time.ts';
import {
  deadLetterSourceFlags,
  messages,
  openDeadLetters,
  reasonFlag,
  sourceArgs,
  viewOf,
  type DeadLetterView
} from './dead-letters-store.ts';
import { AGE_VARS, envSection } from './env-vars.ts';
import { TethrCommand } from './tethr-command.ts';

export interface DeadLettersListResult {
  /** the dead-letter file, or relay_dead_letters (org ...) in the database */
  source: string;
  orgId: string | null;
  /** letters that match, before --limit */
  total: number;
  /** newest first, without payloads */
  letters: DeadLetterView[];
}

export default class DeadLettersList extends TethrCommand<DeadLettersListResult> {
  public static override readonly summary =
    'List dead letters: what the relay could not deliver, why, when, and which record.';
  public static override readonly description =
    'Lists the letters of a dead-letter file (`tethr-sf relay`, `backfill`) or of one org of the relay service (--org-id, in the database), newest first: reason, when, the record (object and id) and its Tethr session id, and whether it was retried. Payloads hold customer text and are never listed; `tethr-sf dead-letters show <id> --payload` prints one. Letters already retried are left out unless --include-retried.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --connection ./acme.connection.json',
    '<%= config.bin %> <%= command.id %> --dead-letter .tethr/relay-00D5g000004abcDEAA.dead-letters.ndjson --reason tethr-rejected',
    '<%= config.bin %> <%= command.id %> --org-id 00D5g000004abcD --since 2026-11-30 --json'
  ];
  public static override readonly envVariablesSection = envSection('TETHR_DATABASE_URL', ...AGE_VARS);

  public static override readonly flags = {
    ...deadLetterSourceFlags,
    reason: reasonFlag,
    since: Flags.string({
      summary: 'Only letters written at or after this time (ISO 8601 with Z or an offset, or a date).'
    }),
    'include-retried': Flags.boolean({ summary: 'Also list letters that were retried and delivered.' }),
    limit: Flags.integer({ summary: 'At most this many letters.', min: 1, max: 100_000, default: 100 })
  };

  public async run(): Promise<DeadLettersListResult> {
    const { flags } = await this.parse(DeadLettersList);
    const since = flags.since ? parseIsoInstant(flags.since, '--since') : undefined;
    const opened = await openDeadLetters(flags, 'dead-letters list');
    try {
      const query = {
        ...(opened.orgId ? { orgId: opened.orgId } : {}),
        ...(flags.reason ? { reason: flags.reason as DeadLetterReason } : {}),
        ...(since ? { since } : {}),
        includeRetried: flags['include-retried']
      };
      const [letters, total] = await Promise.all([
        opened.store.list({ ...query, limit: flags.limit }),
        opened.store.count(query)
      ]);
      const result: DeadLettersListResult = {
        source: opened.source,
        orgId: opened.orgId,
        total,
        letters: letters.map((letter) => viewOf(letter, opened))
      };
      if (!this.jsonEnabled()) this.render(result, sourceArgs(flags, opened));
      return result;
    } finally {
      await opened.close();
    }
  }

  private render(result: DeadLettersListResult, args: string): void {
    this.log(messages.getMessage('info.source', [result.source]));
    if (result.letters.length === 0) {
      this.log(messages.getMessage('info.none'));
      return;
    }
    this.table({
      data: result.letters.map((l) => ({
        id: l.id,
        at: l.at,
        reason: l.reason,
        object: l.objectType ?? '-',
        record: l.recordId ?? '-',
        session: l.sessionId ?? '-',
        retried: l.retriedAt ?? messages.getMessage('no')
      })),
      columns: [
        { key: 'id', name: messages.getMessage('column.id') },
        { key: 'at', name: messages.getMessage('column.at') },
        { key: 'reason', name: messages.getMessage('column.reason') },
        { key: 'object', name: messages.getMessage('column.object') },
        { key: 'record', name: messages.getMessage('column.record') },
        { key: 'session', name: messages.getMessage('column.session') },
        { key: 'retried', name: messages.getMessage('column.retried') }
      ]
    });
    if (result.total > result.letters.length)
      this.log(messages.getMessage('info.more', [result.letters.length, result.total]));
    this.log(messages.getMessage('info.next', [args, args]));
  }
}
