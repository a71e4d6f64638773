// Every command the setup page shows must work for the admin reading it: the Tethr sf plugin
// (`sf plugins install @tethr/plugin-salesforce`, then `sf tethr <command>`), never `npx tethr-sf`,
// which works only inside a clone of this repository. Each command name must be a command of the
// plugin's registry (scripts/cli.ts) or one that an open issue is adding.
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
/** Commands the page names that open issues add: access (issue 8), connection (9), verify (11). */
const BEING_ADDED = ['access', 'connection', 'verify'];

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

test('every command name the page uses is a plugin command (or one being added)', () => {
  const known = new Set([...Object.keys(COMMANDS).map((id) => id.replace(/:/g, ' ')), ...BEING_ADDED]);
  const unknown = Object.values(commands.COMMAND_NAMES).filter((name) => !known.has(name));
  assert.deepEqual(unknown, []);
});

test('no component or label tells the admin to run npx tethr-sf', async () => {
  const offenders = (await pageSources()).filter((text) => /npx\s+tethr-sf|\btethr-sf\s+[a-z]/.test(text));
  assert.equal(offenders.length, 0);
});
