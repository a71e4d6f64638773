import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS, SF_COMMANDS, SF_TOPIC } from '../../scripts/cli.ts';
import { TethrCommand } from '../../scripts/commands/tethr-command.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';

// The standalone binary as a user runs it: bin/tethr-sf.js on the compiled commands in lib/
// (`npm run build`), with sf's help conventions. The sf plugin side is test/plugin/.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'tethr-sf.js');
const STANDALONE_MANIFEST = join(ROOT, 'lib', 'standalone', 'oclif.manifest.json');
const SF_MANIFEST = join(ROOT, 'oclif.manifest.json');
const doctorMessages = loadMessages('doctor-command');

const SPAWN: SpawnSyncOptions = {
  encoding: 'utf8',
  cwd: ROOT,
  env: { ...process.env, SF_DISABLE_TELEMETRY: 'true', SF_DISABLE_AUTOUPDATE: 'true', NO_COLOR: '1' }
};

function tethrSf(args: string[], options: SpawnSyncOptions = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], { ...SPAWN, ...options });
  return { status: run.status, stdout: String(run.stdout), stderr: String(run.stderr) };
}

/** Newest modification time of the files `npm run build` compiles from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

interface Manifest {
  commands: Record<string, { id: string; hasDynamicHelp?: boolean }>;
}
const manifest = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

before(() => {
  assert.ok(existsSync(STANDALONE_MANIFEST), 'lib/ is not built: run `npm run build`.');
  const built = statSync(STANDALONE_MANIFEST).mtimeMs;
  const sources = Math.max(newestSource(join(ROOT, 'scripts')), statSync(join(ROOT, 'package.json')).mtimeMs);
  assert.ok(built >= sources, 'lib/ is older than scripts/ or package.json: run `npm run build`.');
});

describe('one registry, two sets of ids', () => {
  it('the sf plugin has every registry command under the tethr topic, the standalone binary without it', () => {
    const ids = Object.keys(COMMANDS).sort();
    assert.deepEqual(Object.keys(manifest(STANDALONE_MANIFEST).commands).sort(), ids);
    assert.deepEqual(
      Object.keys(manifest(SF_MANIFEST).commands).sort(),
      ids.map((id) => `${SF_TOPIC}:${id}`).sort()
    );
    assert.deepEqual(Object.keys(SF_COMMANDS).sort(), ids.map((id) => `${SF_TOPIC}:${id}`).sort());
  });

  it('help never loads a command: no flag computes its help at run time', () => {
    for (const [id, command] of Object.entries(manifest(SF_MANIFEST).commands))
      assert.notEqual(command.hasDynamicHelp, true, `${id} has dynamic help (a flag with defaultHelp)`);
  });

  it('every command extends TethrCommand (--json errors without stacks)', () => {
    for (const [id, command] of Object.entries(COMMANDS))
      assert.ok(command.prototype instanceof TethrCommand, `${id} does not extend TethrCommand`);
  });

  it('every command lists the environment variables it reads', () => {
    // Commands that read none (checked by hand); every other command needs the section.
    const readsNone = ['app-certificate:create'];
    for (const [id, command] of Object.entries(COMMANDS)) {
      if (readsNone.includes(id)) {
        assert.equal(command.envVariablesSection, undefined, `${id} reads variables: drop it from readsNone`);
        continue;
      }
      const section = command.envVariablesSection;
      assert.equal(section?.header, 'ENVIRONMENT VARIABLES', `${id} has no ENVIRONMENT VARIABLES section`);
      assert.ok(Array.isArray(section.body) && section.body.length > 0, `${id}: empty section`);
    }
  });

  it('every example is written with <%= config.bin %> <%= command.id %>, so it reads right in both', () => {
    for (const [id, command] of Object.entries(COMMANDS)) {
      for (const example of command.examples ?? []) {
        const text = typeof example === 'string' ? example : (example as { command: string }).command;
        assert.match(text, /^<%= config\.bin %> <%= command\.id %>/, `${id}: ${text}`);
      }
    }
  });
});

describe('bin/tethr-sf.js', () => {
  it('lists every command of the registry in --help', () => {
    const run = tethrSf(['--help']);
    assert.equal(run.status, 0, run.stderr);
    for (const id of Object.keys(COMMANDS)) {
      const [first] = id.split(':');
      assert.match(run.stdout, new RegExp(`^\\s+${first}\\s`, 'm'), `${first} missing from --help`);
    }
  });

  it('--help and `help <command>` show the full help as sf lays it out, -h the short form', () => {
    const long = tethrSf(['doctor', '--help']);
    assert.equal(long.status, 0, long.stderr);
    assert.equal(tethrSf(['help', 'doctor']).stdout, long.stdout);
    const headers = (text: string) => text.match(/^[A-Z][A-Z ]+$/gm) ?? [];
    assert.deepEqual(headers(long.stdout), [
      'USAGE',
      'FLAGS',
      'WAITING FLAGS',
      'GLOBAL FLAGS',
      'DESCRIPTION',
      'EXAMPLES',
      'FLAG DESCRIPTIONS',
      'ENVIRONMENT VARIABLES'
    ]);
    assert.match(long.stdout, /^USAGE\n {2}\$ tethr-sf doctor /m);
    assert.match(long.stdout, /^EXAMPLES\n {2}\$ tethr-sf doctor --connection /m);
    assert.match(long.stdout, /^ENVIRONMENT VARIABLES\n {2}SF_TARGET_ORG /m);
    const short = tethrSf(['doctor', '-h']);
    assert.equal(short.status, 0, short.stderr);
    assert.deepEqual(headers(short.stdout), ['USAGE', 'FLAGS', 'WAITING FLAGS', 'GLOBAL FLAGS']);
    assert.ok(long.stdout.startsWith(short.stdout.trimEnd()), '-h is the start of --help');
  });

  it('shows flag groups and a multi-word command the way sf does', () => {
    const setup = tethrSf(['setup', '--help']);
    assert.match(setup.stdout, /^OAUTH APP FLAGS\n/m);
    assert.match(setup.stdout, /^CONNECTION FILE FLAGS\n/m);
    const create = tethrSf(['package', 'version', 'create', '-h']);
    assert.equal(create.status, 0, create.stderr);
    assert.match(create.stdout, /\$ tethr-sf package version create /);
    const deploy = tethrSf(['deploy', '--help']);
    assert.match(deploy.stdout, /^WAITING FLAGS\n(?:.*\n)*? {2}-w, --wait=<value>/m);
    assert.match(deploy.stdout, /--async/);
  });

  it('names commands as tethr-sf in messages (TETHR_SF_BIN), and exits 1 on an error', () => {
    const run = tethrSf(['doctor']);
    assert.equal(run.status, 1);
    for (const action of doctorMessages.getMessages('error.NothingToCheck.actions')) {
      assert.ok(action.includes('sf tethr doctor'), 'messages default to the sf plugin form');
      assert.ok(run.stderr.includes(action.replaceAll('sf tethr ', 'tethr-sf ')), run.stderr);
    }
  });

  it('a mistyped command is refused with exit code 127', () => {
    const run = tethrSf(['doctr']);
    assert.equal(run.status, 127);
    assert.match(run.stderr, /doctr is not a tethr-sf command/);
  });

  it('in a terminal, a mistyped command gets a suggestion (@oclif/plugin-not-found)', (t) => {
    if (spawnSync('script', ['--version']).status !== 0)
      return t.skip('util-linux `script` is not installed');
    // `script` gives the command a terminal; "n" declines running the suggestion.
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${BIN}" doctr`, '/dev/null'], {
      ...SPAWN,
      input: 'n\r',
      timeout: 30_000
    });
    assert.match(String(run.stdout), /Did you mean .*doctor.*\?/);
  });

  it('an older Node hands over to the Node 22 in node_modules, or says that Node 22 is needed', (t) => {
    const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
      const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' });
      return version.status === 0 && Number(version.stdout.split('.')[0]) < 22;
    });
    if (!olderNode) return t.skip('no Node older than 22 on this machine');
    const handedOver = spawnSync(olderNode, [BIN, '--version'], SPAWN);
    assert.equal(handedOver.status, 0, String(handedOver.stderr));
    assert.match(String(handedOver.stdout), /node-v2[2-9]\./);

    // An installed copy without the npm package `node` (what npm installs from the registry).
    const dir = mkdtempSync(join(tmpdir(), 'tethr-sf-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(BIN, join(dir, 'bin', 'tethr-sf.js'));
      const refused = spawnSync(olderNode, [join(dir, 'bin', 'tethr-sf.js'), '--help'], SPAWN);
      assert.equal(refused.status, 1);
      assert.match(String(refused.stderr), /tethr-sf needs Node\.js 22 or newer; this is v\d+/);
      assert.match(String(refused.stderr), /Install Node\.js 22/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a stop (Ctrl+C, SIGTERM) of a command that is waiting', () => {
  it('exits 130 quietly, without the ExitError stack sf-plugins-core would print', async () => {
    // A "Salesforce" that accepts connections and never answers: doctor waits on its sign-in.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'tethr-cli-stop-'));
    try {
      const file = join(dir, 'local.connection.json');
      writeFileSync(
        file,
        JSON.stringify({
          schema: 'tethr-salesforce-connection/v2',
          app: 'local',
          authFlow: 'client_credentials',
          orgId: '00D000000000001EAA',
          instanceUrl: `http://127.0.0.1:${port}`,
          isSandbox: false,
          namespace: '',
          integrationUsername: 'tethr.integration@example.com',
          channels: ['Case'],
          apiVersion: '62.0',
          createdAt: '2026-12-01T00:00:00.000Z',
          consumerKey: '3MVG9local.key',
          consumerSecret: 'local-secret-value'
        }),
        { mode: 0o600 }
      );
      const child = spawn(process.execPath, [BIN, 'doctor', '--connection', file], {
        cwd: ROOT,
        env: SPAWN.env,
        stdio: ['ignore', 'pipe', 'pipe']
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Once it is waiting on the sign-in (the connection reached the silent server).
      await new Promise<void>((resolve) => silent.once('connection', () => resolve()));
      child.kill('SIGTERM');
      assert.equal(await exited, 130, output);
      assert.doesNotMatch(output, /ExitError|EEXIT|at process\./);
      assert.ok(!output.includes('local-secret-value'));
    } finally {
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
