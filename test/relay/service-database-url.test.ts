import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { runCommand } from '../commands/run-command.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';

// Issue 10: every relay service command takes the database from --database-url or
// TETHR_DATABASE_URL. Without either it stops before doing anything, saying what to pass; a URL
// that is not PostgreSQL's is refused the same way from the flag and from the variable.

const sfHome = await useTemporarySfHome();
const { default: RelayServe } = await import('../../scripts/commands/relay-serve.ts');
const { default: RelayOrgsList } = await import('../../scripts/commands/relay-orgs-list.ts');
const { default: RelayOrgsRemove } = await import('../../scripts/commands/relay-orgs-remove.ts');
const { default: RelayCheckpointShow } = await import('../../scripts/commands/relay-checkpoint-show.ts');
const { default: DeadLettersList } = await import('../../scripts/commands/dead-letters-list.ts');

const messages = loadMessages('relay');
const ORG = '00D000000000001';
const saved = process.env.TETHR_DATABASE_URL;

const commands = [
  ['relay serve', RelayServe, ['--http-port', '0']],
  ['relay orgs list', RelayOrgsList, []],
  ['relay orgs remove', RelayOrgsRemove, ['--org-id', ORG]],
  ['relay checkpoint show', RelayCheckpointShow, ['--org-id', ORG]],
  ['dead-letters list', DeadLettersList, ['--org-id', ORG]]
] as const;

before(() => {
  delete process.env.TETHR_DATABASE_URL;
});
after(async () => {
  if (saved === undefined) delete process.env.TETHR_DATABASE_URL;
  else process.env.TETHR_DATABASE_URL = saved;
  await sfHome.restore();
});

it('without --database-url or TETHR_DATABASE_URL, each says what to pass', async () => {
  for (const [name, command, args] of commands) {
    const run = await runCommand(command as Parameters<typeof runCommand>[0], [...args]);
    assert.equal(run.error?.message, messages.getMessage('error.DatabaseUrlMissing'), name);
    assert.deepEqual(run.error?.actions, messages.getMessages('error.DatabaseUrlMissing.actions'), name);
    assert.equal(run.exitCode, 1, name);
  }
});

it('reads the URL from --database-url and from TETHR_DATABASE_URL alike', async () => {
  const refused = messages.getMessage('error.DatabaseUrlInvalid');
  for (const [name, command, args] of commands) {
    const fromFlag = await runCommand(command as Parameters<typeof runCommand>[0], [
      ...args,
      '--database-url',
      'mysql://tethr@127.0.0.1/relay'
    ]);
    assert.equal(fromFlag.error?.message, refused, `${name} --database-url`);
    process.env.TETHR_DATABASE_URL = 'mysql://tethr@127.0.0.1/relay';
    try {
      const fromEnv = await runCommand(command as Parameters<typeof runCommand>[0], [...args]);
      assert.equal(fromEnv.error?.message, refused, `${name} TETHR_DATABASE_URL`);
    } finally {
      delete process.env.TETHR_DATABASE_URL;
    }
  }
});
