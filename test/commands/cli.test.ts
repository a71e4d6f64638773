import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tethr-sf.js', import.meta.url));

describe('bin/tethr-sf.js', () => {
  it('lists every command of the registry in --help', () => {
    const run = spawnSync(process.execPath, [BIN, '--help'], {
      encoding: 'utf8',
      env: { ...process.env, SF_DISABLE_TELEMETRY: 'true' }
    });
    assert.equal(run.status, 0, run.stderr);
    for (const command of [
      'setup',
      'deploy',
      'integration-user',
      'app-policies',
      'credentials',
      'doctor',
      'package',
      'relay',
      'backfill'
    ]) {
      assert.match(run.stdout, new RegExp(`^\\s+${command}\\s`, 'm'), `${command} missing from --help`);
    }
  });
});
