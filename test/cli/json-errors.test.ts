import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';
import { runCommand } from '../commands/run-command.ts';

// A failed command's --json error: sf's shape ({name, message, exitCode, actions, code, status,
// commandName, warnings, ...}) without a stack trace and without `"cause":"undefined"`, for our
// own SfErrors and for errors from libraries alike (TethrCommand).

const env = await useTemporarySfHome();
const { TethrCommand } = await import('../../scripts/commands/tethr-command.ts');
const { default: Doctor } = await import('../../scripts/commands/doctor.ts');
after(() => env.restore());

const doctorMessages = loadMessages('doctor-command');

class LibraryFailure extends TethrCommand<void> {
  public async run(): Promise<void> {
    await this.parse(LibraryFailure);
    throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND tethr.invalid') });
  }
}

class BareFailure extends TethrCommand<void> {
  public async run(): Promise<void> {
    await this.parse(BareFailure);
    throw new RangeError('out of range');
  }
}

function jsonError(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

function assertNoInternals(json: Record<string, unknown>, stdout: string): void {
  assert.equal('stack' in json, false, 'a stack trace in the --json error');
  assert.notEqual(json.cause, 'undefined');
  assert.doesNotMatch(stdout, /\n\s+at |node_modules|\.js:\d+:\d+/, 'stack frames in the --json error');
}

describe('--json errors', () => {
  it('an SfError from our messages: message, actions and exit code, no stack, no cause', async () => {
    const run = await runCommand(Doctor, ['--json']);
    assert.equal(run.exitCode, 1);
    const json = jsonError(run.stdout);
    assertNoInternals(json, run.stdout);
    assert.equal('cause' in json, false);
    assert.equal(json.name, 'NothingToCheckError');
    assert.equal(json.message, doctorMessages.getMessage('error.NothingToCheck'));
    assert.deepEqual(json.actions, doctorMessages.getMessages('error.NothingToCheck.actions'));
    assert.equal(json.status, 1);
    assert.equal(json.exitCode, 1);
    assert.deepEqual(json.warnings, []);
  });

  it("a library's error: its name and message, the cause named in one line", async () => {
    const run = await runCommand(LibraryFailure, ['--json']);
    // sf-plugins-core exits 10 for a TypeError (an internal error), as sf does.
    assert.equal(run.exitCode, 10);
    const json = jsonError(run.stdout);
    assertNoInternals(json, run.stdout);
    assert.equal(json.name, 'TypeError');
    assert.equal(json.message, 'fetch failed');
    assert.equal(json.cause, 'Error: getaddrinfo ENOTFOUND tethr.invalid');
    assert.equal(json.status, 10);
  });

  it('an error without a cause does not name itself as its cause', async () => {
    const run = await runCommand(BareFailure, ['--json']);
    const json = jsonError(run.stdout);
    assertNoInternals(json, run.stdout);
    assert.equal('cause' in json, false);
    assert.equal(json.name, 'RangeError');
    assert.equal(json.message, 'out of range');
  });

  it('without --json the error goes to stderr as sf formats it, stdout stays empty', async () => {
    const run = await runCommand(Doctor, []);
    assert.equal(run.exitCode, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /NothingToCheckError/);
    assert.ok(run.stderr.includes(doctorMessages.getMessage('error.NothingToCheck')));
  });
});
