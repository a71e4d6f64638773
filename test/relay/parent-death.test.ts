import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileCheckpointStore } from '../../scripts/relay/checkpoint-store.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { readNdjson, RelayChild, RelayEnv, ROOT, waitFor } from './helpers/relay-env.ts';

// Defect 9 of issue 12: two relays on one checkpoint must be impossible.
// - kill -9 of the Node 20 wrapper (bin/tethr-sf.js re-executing itself on Node 22) used to leave
//   the Node 22 relay running, orphaned, holding the checkpoint;
// - `npx tethr-sf relay` did not pass SIGTERM on: npm stops, its `sh -c` dies, the relay ran on;
// - a second relay on the same checkpoint is refused (a lock), and a crashed one's lock does not
//   keep a restart out.

const BIN = join(ROOT, 'bin', 'tethr-sf.js');
const messages = loadMessages('relay');

/** A Node older than 22 on this machine (the system node), to run the wrapper as a user would. */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    const run = spawnSync(candidate, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' });
    if (run.status === 0 && Number(run.stdout.trim()) < 22) return candidate;
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The pid of the process whose command line holds `marker` (our unique checkpoint path). */
function relayPids(marker: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

let env: RelayEnv;
before(async () => {
  env = await new RelayEnv().start({ keepaliveMs: 300 });
});
after(async () => {
  for (const pid of [...relayPids(env.dir)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await env.stop();
});

function runBin(node: string, args: string[], extraEnv: Record<string, string> = {}): RelayChild {
  const child = spawn(node, [BIN, 'relay', '--credentials', env.bundlePath, ...env.relayArgs(args)], {
    cwd: env.dir,
    env: {
      ...process.env,
      ...env.tethrEnv,
      SF_DISABLE_TELEMETRY: 'true',
      SF_AUTOUPDATE_DISABLE: 'true',
      ...extraEnv
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  return new RelayChild(child);
}

describe('defect 9: one relay per checkpoint', () => {
  it('the Node 22 relay stops (draining) when the Node 20 wrapper is killed with kill -9', async (t) => {
    const node20 = olderNode();
    if (!node20) return t.skip('no Node older than 22 on this machine to run the wrapper with');
    const checkpoint = join(env.dir, 'wrapper.checkpoint');
    const out = join(env.dir, 'wrapper.ndjson');
    const wrapper = runBin(node20, [
      '--mode',
      'events',
      '--sink',
      `ndjson:${out}`,
      '--checkpoint',
      checkpoint
    ]);
    await wrapper.waitForSubscriber(env.pubsub, 1, 60_000);
    const [relayPid] = childrenOf(wrapper.process.pid!);
    assert.ok(relayPid, 'the wrapper runs the relay as its child');
    env.publish([{ recordId: '500000000000901AAA', objectType: 'Case' }]);
    await waitFor(async () => (await readNdjson(out)).length === 1);
    wrapper.process.kill('SIGKILL');
    await wrapper.exited;
    await waitFor(
      () => !alive(relayPid!),
      20_000,
      () => `relay ${relayPid} still running after its wrapper died`
    );
    // It stopped the graceful way: the checkpoint covers the event, and the lock is gone.
    const saved = await new FileCheckpointStore(checkpoint).read();
    assert.deepEqual(saved?.replayId, env.pubsub.events.at(-1)!.replayId);
    await assert.rejects(access(`${checkpoint}.lock`));
  });

  it('`npx tethr-sf relay` stops when its supervisor sends SIGTERM to npx', async (t) => {
    const npx = spawnSync('npx', ['--version'], { encoding: 'utf8' });
    if (npx.status !== 0) return t.skip('npx is not on PATH');
    const checkpoint = join(env.dir, 'npx.checkpoint');
    const child: ChildProcess = spawn(
      'npx',
      [
        '--prefix',
        ROOT,
        'tethr-sf',
        'relay',
        '--credentials',
        env.bundlePath,
        ...env.relayArgs([
          '--mode',
          'events',
          '--sink',
          `ndjson:${join(env.dir, 'npx.ndjson')}`,
          '--checkpoint',
          checkpoint
        ])
      ],
      {
        cwd: env.dir,
        env: { ...process.env, SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true' },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    );
    const run = new RelayChild(child);
    await run.waitForSubscriber(env.pubsub, 1, 90_000);
    const relays = relayPids(checkpoint);
    assert.ok(relays.length > 0);
    child.kill('SIGTERM');
    await run.exited;
    await waitFor(
      () => relayPids(checkpoint).length === 0,
      30_000,
      () => `still running: ${relayPids(checkpoint).join(', ')}\n${run.stderr.slice(-1500)}`
    );
    await assert.rejects(access(`${checkpoint}.lock`), 'stopped cleanly: the lock was released');
  });

  it('refuses a second relay on the same checkpoint, and lets a restart after kill -9 in', async () => {
    const checkpoint = join(env.dir, 'locked.checkpoint');
    const args = [
      '--mode',
      'events',
      '--sink',
      `ndjson:${join(env.dir, 'locked.ndjson')}`,
      '--checkpoint',
      checkpoint
    ];
    const first = env.spawn('relay', env.relayArgs(args));
    await first.waitForSubscriber(env.pubsub);
    const second = env.spawn('relay', env.relayArgs([...args, '--json']));
    assert.equal(await second.exited, 1);
    const refusal = JSON.parse(second.stdout) as { name: string; message: string; actions: string[] };
    assert.equal(refusal.name, 'CheckpointLockedError');
    const startedAt = /started ([^)]+)\)/.exec(refusal.message)?.[1] ?? '';
    assert.equal(
      refusal.message,
      messages.getMessage('error.CheckpointLocked', [
        first.process.pid!,
        (await import('node:os')).hostname(),
        startedAt,
        checkpoint
      ])
    );
    assert.deepEqual(
      refusal.actions,
      messages.getMessages('error.CheckpointLocked.actions', [`${checkpoint}.lock`])
    );

    // A crashed relay's lock does not keep the restart out.
    first.process.kill('SIGKILL');
    await first.exited;
    const restarted = env.spawn('relay', env.relayArgs(args));
    await restarted.waitForSubscriber(env.pubsub);
    restarted.process.kill('SIGTERM');
    assert.equal(await restarted.exited, 0, restarted.stderr.slice(-1500));
  });
});
