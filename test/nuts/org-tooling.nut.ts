// Real-org tests ("NUTs") for setup, connection and doctor. They run only when an environment
// variable names an org, because they change that org:
//   TETHR_NUT_DEV_HUB=<alias>      creates (or reuses) the scratch org TETHR_NUT_SCRATCH_ALIAS
//                                   (default tethr-nut) from config/project-scratch-def.json
//   TETHR_NUT_TARGET_ORG=<alias>   uses an existing org you are logged in to with `sf org login`
//   TETHR_SF_CONSUMER_KEY + TETHR_SF_JWT_KEY_FILE (or TETHR_SF_CONSUMER_SECRET), for an org with the
//                                   package installed: doctor then signs in as Tethr does
// Run with `npm run test:nuts`. Delete the scratch org afterwards: `sf org delete scratch -o tethr-nut`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readConnection } from '../../scripts/org/connection-files.ts';

const BIN = fileURLToPath(new URL('../../bin/tethr-sf.js', import.meta.url));
const devHub = process.env.TETHR_NUT_DEV_HUB;
const targetOrg = process.env.TETHR_NUT_TARGET_ORG;
const scratchAlias = process.env.TETHR_NUT_SCRATCH_ALIAS ?? 'tethr-nut';
const skip =
  devHub || targetOrg ? false : 'set TETHR_NUT_DEV_HUB or TETHR_NUT_TARGET_ORG to run the real-org tests';
const org = targetOrg ?? scratchAlias;

interface CliJson {
  status: number;
  result?: Record<string, unknown>;
  message?: string;
}

function tethrSf(args: string[], timeoutMinutes: number): { json: CliJson; output: string } {
  const run = spawnSync(process.execPath, [BIN, ...args, '--json'], {
    encoding: 'utf8',
    timeout: timeoutMinutes * 60_000
  });
  const output = `${run.stdout}${run.stderr}`;
  return { json: JSON.parse(run.stdout || '{"status":1}') as CliJson, output };
}

describe('tethr-sf against a real org', { skip }, () => {
  let dir: string;
  let connectionPath: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tethr-nut-'));
    connectionPath = join(dir, 'nut.connection.json');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('setup takes the org to a passing doctor', () => {
    const args =
      devHub && !targetOrg
        ? ['setup', '--scratch', '--target-dev-hub', devHub, '--target-org', scratchAlias]
        : ['setup', '--target-org', org];
    const { json, output } = tethrSf([...args, '--output', connectionPath], 30);
    assert.equal(json.status, 0, json.message ?? output);
  });

  it('connection writes a 0600 file and prints no secret (none at all on the packaged path)', async () => {
    const { json, output } = tethrSf(['connection', '--target-org', org, '--output', connectionPath], 5);
    assert.equal(json.status, 0, json.message ?? output);
    assert.equal((await stat(connectionPath)).mode & 0o777, 0o600);
    const connection = await readConnection(connectionPath);
    if (connection.app === 'packaged') assert.equal(connection.fileSecrets, undefined);
    const secret = connection.fileSecrets?.consumerSecret;
    if (secret) assert.ok(!output.includes(secret), 'the consumer secret was printed');
  });

  it('doctor passes with the connection file alone', () => {
    const { json, output } = tethrSf(['doctor', '--connection', connectionPath, '--target-org', org], 15);
    assert.equal(json.status, 0, json.message ?? output);
  });
});
