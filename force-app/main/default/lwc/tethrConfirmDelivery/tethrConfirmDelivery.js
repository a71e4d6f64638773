import { LightningElement, api } from 'lwc';
import { verifyCommand } from 'c/tethrCommands';
import TITLE from '@salesforce/label/c.Tethr_Confirm_Title';
import INTRO from '@salesforce/label/c.Tethr_Confirm_Intro';
import STEP_SEND from '@salesforce/label/c.Tethr_Confirm_Step_Send';
import STEP_CLOSE from '@salesforce/label/c.Tethr_Confirm_Step_Close';
import STEP_ASK from '@salesforce/label/c.Tethr_Confirm_Step_Ask';
import STEP_DONE from '@salesforce/label/c.Tethr_Confirm_Step_Done';
import SINCE from '@salesforce/label/c.Tethr_Confirm_Since';
import COMMAND_HINT from '@salesforce/label/c.Tethr_Confirm_Command_Hint';

export const DEFAULT_FILE_NAME = 'tethr-connection-<org id>.json';

/** The start of the check: now, to the minute, in UTC ISO 8601 (what `--since` accepts). */
export function sinceNow(now = new Date()) {
  const since = new Date(now.getTime());
  since.setUTCSeconds(0, 0);
  return since.toISOString().replace('.000Z', 'Z');
}

/**
 * The last step of the setup (issue 11): how the customer confirms with Tethr that closed
 * conversations reach Tethr, and what Tethr runs to check it: `sf tethr verify --connection
 * <file> --since <ISO>`, which compares what closed in Salesforce since then with what Tethr
 * holds and resends the gaps.
 */
export default class TethrConfirmDelivery extends LightningElement {
  /** The connection file's name, from the handoff section. */
  @api connectionFileName;

  labels = {
    title: TITLE,
    intro: INTRO,
    since: SINCE,
    commandHint: COMMAND_HINT
  };
  steps = [
    { key: 'send', text: STEP_SEND },
    { key: 'close', text: STEP_CLOSE },
    { key: 'ask', text: STEP_ASK },
    { key: 'done', text: STEP_DONE }
  ];
  since = sinceNow();

  get command() {
    return verifyCommand(this.connectionFileName || DEFAULT_FILE_NAME, this.since);
  }
}
