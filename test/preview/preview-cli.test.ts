// `npm run preview` as a newcomer meets it (issue 12, defect 12): --help documents PORT and the
// page states, a busy port gives a clear message at once (not a raw EADDRINUSE stack after the
// build), and nothing announces a build time that was not measured.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PAGE_STATES, parsePort, usage } from '../../scripts/preview/cli.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER = path.join(ROOT, 'scripts/preview/server.ts');
const FIXTURES = path.join(ROOT, 'scripts/preview/fixtures');
const messages = loadMessages('preview');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the preview entry point as `npm run preview` does, killing it if it does not end in time. */
function runPreviewProcess(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run preview', () => {
  let busy: Server;
  let busyPort: number;

  before(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });

  after(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  test('--help documents PORT and every page state, and starts nothing', async () => {
    const run = await runPreviewProcess(['--help'], {});
    assert.equal(run.code, 0);
    assert.equal(run.stdout.trim(), usage().trim());
    assert.match(run.stdout, /PORT {2}the port to listen on \(default 3000; 0 picks a free one\)/);
    for (const state of PAGE_STATES) {
      assert.ok(run.stdout.includes(`  ${state.name.padEnd(26)}  ${state.description}\n`), state.name);
    }
    assert.doesNotMatch(run.stdout, /Building/);
  });

  test('a busy port fails at once with what to do, before any build and without a stack', async () => {
    const run = await runPreviewProcess([], { PORT: String(busyPort) });
    assert.equal(run.code, 1);
    const expected = messages.createError('error.PortInUse', [busyPort], [busyPort + 1]);
    assert.equal(
      run.stderr.trim(),
      [`Error: ${expected.message}`, ...(expected.actions ?? []).map((a) => `  ${a}`)].join('\n')
    );
    assert.doesNotMatch(run.stderr, /EADDRINUSE|\n\s+at /);
    assert.doesNotMatch(run.stdout, /Building|30-45/);
  });

  test('a PORT that is not a port is refused with the fix', async () => {
    const run = await runPreviewProcess([], { PORT: 'eighty' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`^Error: ${messages.getMessage('error.InvalidPort', ['eighty'])}`));
  });

  test('an unknown argument points to --help', async () => {
    const run = await runPreviewProcess(['--port', '4000'], {});
    assert.equal(run.code, 1);
    assert.match(run.stderr, /npm run preview -- --help/);
  });
});

describe('the page states', () => {
  test('PORT parsing', () => {
    assert.equal(parsePort(undefined), 3000);
    assert.equal(parsePort('0'), 0);
    assert.equal(parsePort('4321'), 4321);
    assert.throws(() => parsePort('70000'), { message: messages.getMessage('error.InvalidPort', ['70000']) });
    assert.throws(() => parsePort('3000abc'));
  });

  test('every state a fixture answers to is listed, and every listed state is used', async () => {
    const files = (await readdir(FIXTURES, { recursive: true })).filter((file) => file.endsWith('.js'));
    const sources = await Promise.all(files.map((file) => readFile(path.join(FIXTURES, file), 'utf8')));
    const used = new Set(
      sources.flatMap((source) =>
        [...source.matchAll(/isState\(([^)]*)\)/g)].flatMap((m) =>
          [...(m[1] ?? '').matchAll(/'([a-z-]+)'/g)].map((n) => n[1] ?? '')
        )
      )
    );
    const listed = new Set(PAGE_STATES.map((state) => state.name));
    assert.deepEqual(
      [...used].filter((name) => !listed.has(name)),
      [],
      'states fixtures use but --help omits'
    );
    assert.deepEqual(
      [...listed].filter((name) => name !== 'ready' && !used.has(name)),
      [],
      'states --help lists but no fixture shows'
    );
  });
});
