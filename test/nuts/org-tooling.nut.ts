// Real-org tests ("NUTs") for setup, credentials and doctor. They run only when an environment
// variable names an org, because they change that org:
//   TETHR_NUT_DEV_HUB=<alias>      creates (or reuses) the scratch org TETHR_NUT_SCRATCH_ALIAS
//                                   (default tethr-nut) from config/project-scratch-def.json
//   TETHR_NUT_TARGET_ORG=<alias>   uses an existing org you are logged in to with `sf org login`
// Run with `npm run test:nuts`. Delete the scratch org afterwards: `sf org delete scratch -o tethr-nut`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';

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
  let bundlePath: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tethr-nut-'));
    bundlePath = join(dir, 'nut.credentials.json');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('setup takes the org to a passing doctor', () => {
    const args =
      devHub && !targetOrg
        ? ['setup', '--scratch', '--target-dev-hub', devHub, '--target-org', scratchAlias]
        : ['setup', '--target-org', org];
    const { json, output } = tethrSf([...args, '--output', bundlePath], 30);
    assert.equal(json.status, 0, json.message ?? output);
  });

  it('credentials writes a 0600 bundle and prints no secret', async () => {
    const { json, output } = tethrSf(['credentials', '--target-org', org, '--output', bundlePath], 5);
    assert.equal(json.status, 0, json.message ?? output);
    assert.equal((await stat(bundlePath)).mode & 0o777, 0o600);
    const bundle = await readBundle(bundlePath);
    assert.ok(!output.includes(bundle.consumerSecret), 'the consumer secret was printed');
  });

  it('doctor passes with the bundle alone', () => {
    const { json, output } = tethrSf(['doctor', '--credentials', bundlePath], 15);
    assert.equal(json.status, 0, json.message ?? output);
  });
});
