// Every command the setup page shows must work for the admin reading it: the Tethr sf plugin
// (`sf plugins install @tethr/plugin-salesforce`, then `sf tethr <command>`), never `npx tethr-sf`,
// which works only inside a clone of this repository. Each command name must be a command of the
// plugin's registry (scripts/cli.ts), and each `sf tethr <command> --target-org <alias>` the page prints
// must run as printed: the command takes --target-org and needs no other flag.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { COMMANDS } from '../../scripts/cli.ts';
import { PACKAGE_NAME } from '../../scripts/shared/messages.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LWC_DIR = path.join(ROOT, 'force-app/main/default/lwc');
const LABELS = path.join(ROOT, 'force-app/main/default/labels/CustomLabels.labels-meta.xml');

const commands = (await import(pathToFileURL(path.join(LWC_DIR, 'tethrCommands/tethrCommands.js')).href)) as {
  PLUGIN_PACKAGE: string;
  PLUGIN_INSTALL: string;
  COMMAND_NAMES: Record<string, string>;
  orgCommand(name: string): string;
};

async function pageSources(): Promise<string[]> {
  const entries = await readdir(LWC_DIR, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.(js|html)$/.test(e.name) && !e.parentPath.includes('__tests__'))
    .map((e) => path.join(e.parentPath, e.name));
  return [
    ...(await Promise.all(files.map((file) => readFile(file, 'utf8')))),
    await readFile(LABELS, 'utf8')
  ];
}

test('the page installs this package as the sf plugin', () => {
  assert.equal(commands.PLUGIN_PACKAGE, PACKAGE_NAME);
  assert.equal(commands.PLUGIN_INSTALL, `sf plugins install ${PACKAGE_NAME}`);
  assert.equal(commands.orgCommand('doctor'), 'sf tethr doctor --target-org <alias>');
});

test('every command name the page uses is a plugin command', () => {
  const known = new Set(Object.keys(COMMANDS).map((id) => id.replace(/:/g, ' ')));
  const unknown = Object.values(commands.COMMAND_NAMES).filter((name) => !known.has(name));
  assert.deepEqual(unknown, []);
});

const BY_ID = COMMANDS as Record<string, unknown>;

test('each command the page prints with --target-org takes that flag and needs no other', () => {
  const { verify, ...withTargetOrg } = commands.COMMAND_NAMES;
  const problems = Object.values(withTargetOrg).flatMap((name) => {
    const flags = (BY_ID[name.replace(/ /g, ':')] as { flags?: Record<string, { required?: boolean }> })
      .flags;
    const required = Object.entries(flags ?? {})
      .filter(([flag, definition]) => definition.required === true && flag !== 'target-org')
      .map(([flag]) => `${name}: --${flag} is required`);
    return flags?.['target-org'] ? required : [`${name}: no --target-org`, ...required];
  });
  assert.deepEqual(problems, []);
  const verifyFlags = (BY_ID[verify!] as { flags?: Record<string, unknown> }).flags ?? {};
  assert.ok('connection' in verifyFlags && 'since' in verifyFlags, 'verify takes --connection and --since');
});

test('no component or label tells the admin to run npx tethr-sf', async () => {
  const offenders = (await pageSources()).filter((text) => /npx\s+tethr-sf|\btethr-sf\s+[a-z]/.test(text));
  assert.equal(offenders.length, 0);
});
