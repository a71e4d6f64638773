import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadMessages } from '../../scripts/shared/messages.ts';

// What a Salesforce engineer does on a fresh machine: `sf plugins install` the published
// package and run `sf tethr ...`. Here the package is the `npm pack` tarball, installed into the
// sf CLI of this repository (devDependency @salesforce/cli) under a temporary HOME, so neither
// the developer's sf state nor their plugins are touched.
//
// sf checks a plugin's signature before installing it. A tarball is installed by its file: URL
// (plugin-plugins treats anything with ":" and "/" as a URL), and sf skips the signature check,
// without a prompt, for a URL listed in ~/.config/sf/unsignedPluginAllowList.json
// (@salesforce/plugin-trust). Packages come from the npm registry through the usual npm cache.
//
// About 30 s on our 2-core CI machine with a warm npm cache (docs/cli.md). Run it alone with
// `npm run test:plugin`.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SF = join(ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
const doctorMessages = loadMessages('doctor-command');

let work: string;
let tarball: string;
let env: NodeJS.ProcessEnv;
const timings: Record<string, number> = {};

function timed<T>(label: string, step: () => T): T {
  const start = performance.now();
  try {
    return step();
  } finally {
    timings[label] = Math.round(performance.now() - start) / 1000;
  }
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: work, env, ...options });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function sf(args: string[]) {
  return run(process.execPath, ['--no-deprecation', SF, ...args]);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'tethr-plugin-smoke-'));
  const home = join(work, 'home');
  mkdirSync(join(home, '.config', 'sf'), { recursive: true });
  // npm's own cache stays where it is (a new HOME would start it empty and download everything).
  const npmCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    SF_DISABLE_TELEMETRY: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    NO_COLOR: '1',
    ...(npmCache ? { npm_config_cache: npmCache } : {}),
    // Packages already in the cache (npm ci put them there) are not fetched again.
    npm_config_prefer_offline: 'true'
  };
  delete env.TETHR_SF_BIN;

  // The tarball packs lib/ as it is; build first when lib/ is older than the sources.
  const manifest = join(ROOT, 'oclif.manifest.json');
  const built = existsSync(manifest) ? statSync(manifest).mtimeMs : 0;
  if (built < Math.max(newestSource(join(ROOT, 'scripts')), statSync(join(ROOT, 'package.json')).mtimeMs)) {
    const build = timed('npm run build', () => run('npm', ['run', 'build'], { cwd: ROOT, env: process.env }));
    assert.equal(build.status, 0, build.stderr);
  }
  const pack = timed('npm pack', () =>
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT })
  );
  assert.equal(pack.status, 0, pack.stderr);
  const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
  tarball = join(work, filename);
  const url = pathToFileURL(tarball).href;
  writeFileSync(join(home, '.config', 'sf', 'unsignedPluginAllowList.json'), JSON.stringify([url]));

  const install = timed('sf plugins install', () => sf(['plugins', 'install', url]));
  assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
  assert.match(
    install.stdout + install.stderr,
    /allow-listed/,
    'the signature check was skipped by the allow list'
  );
});

after(() => {
  process.stdout.write(`# plugin smoke timings (s): ${JSON.stringify(timings)}\n`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('sf plugins install <npm pack tarball>', () => {
  it('installs the plugin with its runtime dependencies only: no tsx, no node', () => {
    const list = sf(['plugins']);
    assert.match(list.stdout, /@tethr\/plugin-salesforce 0\.1\.0/);
    const modules = join(env.XDG_DATA_HOME!, 'sf', 'node_modules');
    assert.ok(existsSync(join(modules, '@tethr', 'plugin-salesforce', 'lib', 'cli.js')));
    for (const devOnly of ['tsx', 'node', 'typescript', 'oclif'])
      assert.equal(existsSync(join(modules, devOnly)), false, `${devOnly} was installed with the plugin`);
  });

  it('the installed package deploys its own metadata: PROJECT_DIR, force-app without tests, .forceignore', () => {
    const plugin = join(env.XDG_DATA_HOME!, 'sf', 'node_modules', '@tethr', 'plugin-salesforce');
    // Resolved from inside the installed package, with its own dependencies, as its commands do.
    const probe = `
      import { createRequire } from 'node:module';
      import { pathToFileURL } from 'node:url';
      const plugin = ${JSON.stringify(plugin)};
      const { PROJECT_DIR } = await import(pathToFileURL(plugin + '/lib/org/deploy.js').href);
      const sdr = createRequire(plugin + '/package.json').resolve('@salesforce/source-deploy-retrieve');
      const { ComponentSet } = await import(pathToFileURL(sdr).href);
      const set = ComponentSet.fromSource({ fsPaths: [PROJECT_DIR + 'force-app', PROJECT_DIR + 'force-app-messaging'] });
      const files = set.getSourceComponents().toArray().flatMap((c) => [c.xml, ...c.walkContent()].filter(Boolean));
      console.log(JSON.stringify({ projectDir: PROJECT_DIR, components: set.size, files }));`;
    const result = run(process.execPath, ['--input-type=module', '-e', probe]);
    assert.equal(result.status, 0, result.stderr);
    const { projectDir, components, files } = JSON.parse(result.stdout) as {
      projectDir: string;
      components: number;
      files: string[];
    };
    assert.equal(projectDir, `${plugin}/`);
    assert.ok(components > 30, `only ${components} components resolved from the installed force-app`);
    assert.deepEqual(
      files.filter((f) => f.includes('__tests__')),
      [],
      'test files would be deployed'
    );
    for (const needed of [
      '.forceignore',
      'sfdx-project.json',
      'config/project-scratch-def.json',
      'unpackaged/external-client-app',
      'messages/doctor.md',
      'schemas/tethr-doctor.json'
    ])
      assert.ok(existsSync(join(plugin, needed)), `${needed} is missing from the installed package`);
  });

  it('`sf tethr doctor --help` shows the command under the tethr topic', () => {
    const help = timed('sf tethr doctor --help', () => sf(['tethr', 'doctor', '--help']));
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^USAGE\n {2}\$ sf tethr doctor /m);
    assert.match(help.stdout, /^EXAMPLES\n {2}\$ sf tethr doctor --connection /m);
    assert.match(help.stdout, /^ENVIRONMENT VARIABLES\n/m);
  });

  it('`sf tethr --help` lists the commands, `sf tethr package version create -h` works', () => {
    const topic = sf(['tethr', '--help']);
    assert.equal(topic.status, 0, topic.stderr);
    for (const command of ['setup', 'doctor', 'deploy', 'relay', 'backfill'])
      assert.match(topic.stdout, new RegExp(`^ {2}tethr ${command}\\s`, 'm'));
    const create = sf(['tethr', 'package', 'version', 'create', '-h']);
    assert.equal(create.status, 0, create.stderr);
    assert.match(create.stdout, /\$ sf tethr package version create /);
  });

  it('runs the compiled command: messages from the installed package, sf tethr in its actions', () => {
    const doctor = timed('sf tethr doctor --json', () => sf(['tethr', 'doctor', '--json']));
    assert.equal(doctor.status, 1);
    const json = JSON.parse(doctor.stdout) as { name: string; message: string; actions: string[] };
    assert.equal(json.name, 'NothingToCheckError');
    assert.equal(json.message, doctorMessages.getMessage('error.NothingToCheck'));
    assert.deepEqual(json.actions, doctorMessages.getMessages('error.NothingToCheck.actions'));
    assert.ok(
      json.actions.every((a) => !a.includes('tethr-sf ')),
      'the sf plugin names sf tethr commands'
    );
    assert.equal('stack' in json, false);
  });
});
