import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

// Issue 12, defect 11: in a terminal doctor (and every multi-step command) printed each check
// twice: oclif's spinner leaves "<step>... done" behind, then the summary line follows. Here the
// progress runs in a real terminal (util-linux `script`), and the test replays what the terminal
// shows: only the summary lines may remain.

const STEP_RENDERING = fileURLToPath(new URL('../../scripts/commands/step-rendering.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

const DRIVER = `
  import { Spinner } from '@salesforce/sf-plugins-core';
  const { spinnerProgress } = await import(${JSON.stringify(STEP_RENDERING)});
  const command = { spinner: new Spinner(true) };
  const progress = spinnerProgress(command);
  for (const step of ['Sign-in (JWT bearer)', 'Read Cases', 'Read Messaging sessions']) {
    progress({ step, phase: 'start' });
    progress({ step, phase: 'start', message: 'waiting' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    progress({ step, phase: 'end', result: { step, status: 'passed', detail: '' } });
  }
  // A step whose name wraps on a narrow terminal.
  const long = 'A step with a long name '.repeat(5).trim();
  progress({ step: long, phase: 'start' });
  progress({ step: long, phase: 'end', result: { step: long, status: 'passed', detail: '' } });
  process.stdout.write('  ✓ summary\\n');
`;

/** What a terminal shows after `output`: enough of VT100 for oclif's spinner (CR, LF, G, A, J). */
function screen(output: string, columns: number): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i += 1) {
    const ch = output[i]!;
    if (ch === '\u001b') {
      const match = /^\u001b\[(\d*)([A-Za-z])/.exec(output.slice(i));
      if (!match) continue;
      i += match[0].length - 1;
      const n = Number(match[1] || 1);
      if (match[2] === 'G') col = 0;
      else if (match[2] === 'A') row = Math.max(0, row - n);
      else if (match[2] === 'J') {
        lines[row] = lines[row]!.slice(0, col);
        lines.length = row + 1;
      }
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      col = 0;
      lines[row] ??= '';
    } else {
      if (col === columns) {
        row += 1;
        col = 0;
        lines[row] ??= '';
      }
      const line = lines[row]!.padEnd(col);
      lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col += 1;
    }
  }
  return lines.filter((line) => line.trim() !== '');
}

it('in a terminal, progress lines go away and only the summary stays', (t) => {
  if (spawnSync('script', ['--version']).status !== 0) return t.skip('util-linux `script` is not installed');
  const columns = 60;
  const command = `stty cols ${columns}; "${process.execPath}" --import "${TSX}" --input-type=module -e '${DRIVER.replaceAll("'", "'\\''")}'`;
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, CI: '', NO_COLOR: '1', TERM: 'xterm' },
    timeout: 30_000
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.ok(run.stdout.includes('Read Cases...'), `the spinner ran in a terminal:\n${run.stdout}`);
  assert.deepEqual(screen(run.stdout, columns), ['  ✓ summary']);
});
