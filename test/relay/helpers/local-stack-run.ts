import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RelayChild, ROOT, TSX, waitFor } from './relay-env.ts';

// Starts test/relay/local-stack.ts as a child process for the tests that run what it prints, and
// reads that printout once it is ready: the commands, one a line, and the Tethr credentials of its
// `export TETHR_API_URL=... TETHR_API_CLIENT_ID='...' ...` line.

const STACK = join(ROOT, 'test', 'relay', 'local-stack.ts');

export interface LocalStackRun {
  child: RelayChild;
  /** what the stack printed up to "Ctrl+C stops", one trimmed line each */
  lines: string[];
  /** TETHR_* from the printed export line, with the quotes around a value taken off */
  env: Record<string, string>;
}

/**
 * Starts the stack (publishing every second) on `base`..`base + 3` with `orgs` orgs and its state
 * in `.tethr/<name>` under `cwd`, and resolves when it has printed everything ("Ctrl+C stops").
 * The child goes into `children` before the wait, so the caller's cleanup kills it on a timeout.
 */
export async function startLocalStack(options: {
  cwd: string;
  base: number;
  orgs: number;
  name: string;
  children: RelayChild[];
}): Promise<LocalStackRun> {
  const child = new RelayChild(
    spawn(
      process.execPath,
      [
        '--import',
        TSX,
        STACK,
        '--base-port',
        String(options.base),
        '--interval-seconds',
        '1',
        '--orgs',
        String(options.orgs),
        '--dir',
        join('.tethr', options.name)
      ],
      {
        cwd: options.cwd,
        env: { ...process.env, SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true' },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
  );
  options.children.push(child);
  await waitFor(
    () => child.stdout.includes('Ctrl+C stops'),
    60_000,
    () => child.stderr.slice(-2000)
  );
  const lines = child.stdout.split('\n').map((l) => l.trim());
  const exported = lines.find((l) => l.startsWith('export TETHR_API_URL='))!;
  const env: Record<string, string> = Object.fromEntries(
    [...exported.matchAll(/(TETHR_\w+)=('?)([^' ]+)\2/g)].map((m) => [m[1]!, m[3]!])
  );
  return { child, lines, env };
}

/** The printed one-org `tethr-sf relay` command (to Tethr, not the `--mode events` one). */
export function printedRelayLine(lines: string[]): string | undefined {
  return lines.find((l) => l.startsWith('npx tethr-sf relay --connection') && !l.includes('--mode events'));
}
