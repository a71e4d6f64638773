import { ux } from '@oclif/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { ProgressListener, StepResult } from '../shared/step.ts';

// How multi-step commands show what they do. In a terminal: one spinner line for the step that
// is running, replaced as steps finish, then one summary line per step. Piped (CI, log files):
// no spinner frames, only a line when a long step reports news (deploy status, propagation
// wait), then the same summary. Every line is short: the detail wraps under its step instead of
// widening a table.

const SYMBOL: Record<StepResult['status'], string> = {
  created: '+',
  updated: '~',
  unchanged: '=',
  skipped: '-',
  failed: '✗',
  passed: '✓',
  warning: '!'
};

/** Live progress on stderr: a spinner in a terminal, sparse lines when piped. */
export function spinnerProgress(
  command: SfCommand<unknown>,
  stream: NodeJS.WriteStream = process.stderr
): ProgressListener {
  if (!stream.isTTY) return pipedProgress(stream);
  let running: string | undefined;
  // oclif's spinner leaves "<step>... done" behind when it stops, so every step would show twice:
  // that line, then its summary line. The line it left is erased again; the summary says the rest.
  const finish = (): void => {
    const shown = ux.action.type === 'spinner' && ux.action.running;
    command.spinner.stop();
    if (shown && running !== undefined) eraseLastLine(stream, `${running}... done`);
    running = undefined;
  };
  return ({ step, phase, message }) => {
    if (phase === 'start') {
      if (running === step) {
        if (message) command.spinner.status = message;
        return;
      }
      if (running !== undefined) finish();
      command.spinner.start(step, message);
      running = step;
      return;
    }
    if (running === step) finish();
  };
}

/** Moves up over `text` as the terminal wrapped it and clears from there down, as oclif does. */
function eraseLastLine(stream: NodeJS.WriteStream, text: string): void {
  const lines = Math.max(1, Math.ceil(text.length / (stream.columns || 80)));
  stream.write(`\u001b[G\u001b[${lines}A\u001b[J`);
}

/** Without a terminal: a line only for news within a step that keeps running (waits). */
function pipedProgress(stream: NodeJS.WriteStream): ProgressListener {
  let last = '';
  return ({ step, phase, message }) => {
    if (phase !== 'start' || !message) return;
    const line = `${step}: ${message}`;
    if (line === last) return;
    last = line;
    stream.write(`${line}\n`);
  };
}

/** One line per step, the detail on the same line; a step that failed says so once. */
export function renderSteps(command: SfCommand<unknown>, title: string, steps: StepResult[]): void {
  command.log(title);
  for (const step of steps)
    command.log(`  ${SYMBOL[step.status]} ${step.step}${step.detail ? `: ${step.detail}` : ''}`);
}

/** Causes and next actions under a failed or warned check. */
export function renderDiagnosis(
  command: SfCommand<unknown>,
  heading: string,
  cause: string,
  actions: string[]
): void {
  command.log('');
  command.log(`${heading}: ${cause}`);
  for (const action of actions) command.log(`  → ${action}`);
}
