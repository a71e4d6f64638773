import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { ProgressListener, StepResult } from '../shared/step.ts';

const SYMBOL: Record<StepResult['status'], string> = {
  created: '+',
  updated: '~',
  unchanged: '=',
  skipped: '-',
  failed: '✗',
  passed: '✓',
  warning: '!'
};

/** Live progress for long steps: a spinner per step on stderr, a one-line outcome when it ends. */
export function spinnerProgress(command: SfCommand<unknown>): ProgressListener {
  let running: string | undefined;
  return ({ step, phase, result, message }) => {
    if (phase === 'start') {
      // Repeated starts of one step are status updates (e.g. deploy progress), not new spinners.
      if (running === step) {
        // Without a terminal every update would append to the same log line; the end line suffices.
        if (process.stderr.isTTY) command.spinner.status = message;
      } else {
        if (running !== undefined) command.spinner.stop();
        command.spinner.start(step, message);
        running = step;
      }
      return;
    }
    if (running !== step) command.spinner.start(step);
    running = undefined;
    command.spinner.stop(
      result
        ? `${SYMBOL[result.status]} ${result.status}${result.detail ? `: ${result.detail}` : ''}`
        : undefined
    );
  };
}

export function renderSteps(command: SfCommand<unknown>, title: string, steps: StepResult[]): void {
  command.table({
    title,
    data: steps.map((s) => ({ step: s.step, status: `${SYMBOL[s.status]} ${s.status}`, detail: s.detail })),
    columns: ['step', 'status', 'detail']
  });
}
