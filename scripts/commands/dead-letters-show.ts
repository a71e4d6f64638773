import { Args } from '@oclif/core';
import { Flags } from '@salesforce/sf-plugins-core';
import {
  deadLetterSourceFlags,
  messages,
  openDeadLetters,
  sourceArgs,
  viewOf,
  type DeadLetterView
} from './dead-letters-store.ts';
import { AGE_VARS, envSection } from './env-vars.ts';
import { TethrCommand } from './tethr-command.ts';

export interface DeadLettersShowResult {
  /** the dead-letter file, or relay_dead_letters (org ...) in the database */
  source: string;
  letter: DeadLetterView & {
    /** only with --payload: what could not be delivered (customer text) */
    payload?: unknown;
  };
}

export default class DeadLettersShow extends TethrCommand<DeadLettersShowResult> {
  public static override readonly summary = 'Show one dead letter; its payload only with --payload.';
  public static override readonly description =
    "Shows everything about one dead letter (the id `tethr-sf dead-letters list` shows): reason, Salesforce's or Tethr's full answer, when, the record and its Tethr session id, the event, and whether it was retried. The payload (the event or the capture that could not be delivered) holds customer text: it is printed only with --payload.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> 3f1c2a9e-5b7d-4c1e-9a0b-2d4e6f8a0b1c --connection ./acme.connection.json',
    '<%= config.bin %> <%= command.id %> 42 --org-id 00D5g000004abcD --payload --json'
  ];
  public static override readonly envVariablesSection = envSection('TETHR_DATABASE_URL', ...AGE_VARS);

  public static override readonly args = {
    id: Args.string({ description: 'The dead letter id (from `dead-letters list`).', required: true })
  };

  public static override readonly flags = {
    ...deadLetterSourceFlags,
    payload: Flags.boolean({
      summary: 'Also print the payload (the event or capture that was not delivered: customer text).'
    })
  };

  public async run(): Promise<DeadLettersShowResult> {
    const { args, flags } = await this.parse(DeadLettersShow);
    const opened = await openDeadLetters(flags, 'dead-letters show');
    try {
      const letter = await opened.store.get(args.id, { withPayload: flags.payload });
      if (!letter)
        throw messages.createError(
          'error.LetterNotFound',
          [args.id, opened.source],
          [sourceArgs(flags, opened)]
        );
      const view = viewOf(letter, opened);
      const result: DeadLettersShowResult = {
        source: opened.source,
        letter: flags.payload && letter.payload !== undefined ? { ...view, payload: letter.payload } : view
      };
      if (!this.jsonEnabled()) this.render(result, flags.payload);
      return result;
    } finally {
      await opened.close();
    }
  }

  private render(result: DeadLettersShowResult, withPayload: boolean): void {
    const l = result.letter;
    const rows: Array<[string, string]> = [
      ['id', l.id],
      ['at', l.at],
      ['reason', l.reason],
      ['object', l.objectType ?? '-'],
      ['record', l.recordId ?? '-'],
      ['session', l.sessionId ?? '-'],
      ['event', l.eventId || '-'],
      ['replay', l.replayId || '-'],
      ['retried', l.retriedAt ?? messages.getMessage('no')],
      ['detail', l.detail]
    ];
    this.log(messages.getMessage('info.letter', [result.source]));
    const width = Math.max(...rows.map(([key]) => messages.getMessage(`field.${key}`).length));
    for (const [key, value] of rows)
      this.log(`  ${messages.getMessage(`field.${key}`).padEnd(width)}  ${value}`);
    if (!l.hasPayload) return;
    if (withPayload) {
      this.log(messages.getMessage('info.payload'));
      this.log(JSON.stringify(l.payload, null, 2));
    } else {
      this.log(messages.getMessage('info.payloadHidden'));
    }
  }
}
