import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { readJson, schemaFile } from '../../scripts/build/json-contract.ts';
import { FileCheckpointStore } from '../../scripts/relay/checkpoint-store.ts';
import { RelayEnv, spawnMain } from '../relay/helpers/relay-env.ts';

// schemas/ pins each command's --json result as its result type declares it (json-contract
// test). This checks the other half: what a command really prints under --json validates against
// its pinned schema, so a cast or a stray field in the command cannot drift from the contract.

const ajv = new Ajv({ allErrors: true });

function assertMatchesSchema(sfId: string, stdout: string): void {
  const json = JSON.parse(stdout) as { status: number; result: unknown; warnings: unknown };
  assert.equal(json.status, 0);
  assert.ok(Array.isArray(json.warnings), 'sf --json shape: {status, result, warnings}');
  const validate = ajv.compile(readJson(schemaFile(sfId)) as object);
  assert.ok(validate(json.result), `${sfId}: ${JSON.stringify(validate.errors)}\n${stdout}`);
}

let env: RelayEnv;
const since = '2026-11-01T00:00:00.000Z';
const until = '2026-11-02T00:00:00.000Z';

before(async () => {
  env = await new RelayEnv().start();
  const base = Date.parse(since);
  env.org.addCase(base + 60_000);
  env.org.addMessagingSession(base + 120_000);
});
after(async () => {
  await env.stop();
});

describe('--json results match schemas/', () => {
  it('backfill', async () => {
    const args = [
      '--since',
      since,
      '--until',
      until,
      '--sink',
      'tethr',
      '--cursor',
      join(env.dir, 'j.cursor.json')
    ];
    const first = env.spawn('backfill', [...args, '--json']);
    assert.equal(await first.exited, 0, first.stderr.slice(-2000));
    assertMatchesSchema('tethr:backfill', first.stdout);
    // A rerun of the finished window reports "already done": the same contract.
    const again = env.spawn('backfill', [...args, '--json']);
    assert.equal(await again.exited, 0, again.stderr.slice(-2000));
    assertMatchesSchema('tethr:backfill', again.stdout);
  });

  it('relay checkpoint show', async () => {
    const path = join(env.dir, 'show.checkpoint');
    await new FileCheckpointStore(path).write({
      topic: '/event/Conversation_Closed__e',
      replayId: Buffer.from([0, 0, 0, 0, 0, 15, 66, 118]),
      updatedAt: '2026-12-01T14:03:54.004Z',
      acknowledged: 6
    });
    const run = spawnMain(['checkpoint:show', path, '--json'], { cwd: env.dir });
    assert.equal(await run.exited, 0, run.stderr);
    assertMatchesSchema('tethr:relay:checkpoint:show', run.stdout);
  });
});
