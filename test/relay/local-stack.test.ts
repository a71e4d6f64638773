import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { printedRelayLine, startLocalStack } from './helpers/local-stack-run.ts';
import { freeBase } from './helpers/ports.ts';
import { MAIN, RelayChild, TSX, waitFor } from './helpers/relay-env.ts';

// The local stack (issue 12, defect 10, the relay half): stable ports (a fixed default, or
// --base-port), the relay, backfill and doctor commands printed, and a relay's checkpoint still
// good after the stack restarts (it keeps its event bus), where random ports and a fresh event
// bus on every start used to send the relay back to EARLIEST with "replay id rejected".

let dir = '';
const children: RelayChild[] = [];

/** A one-org stack (so it prints the verify command), ready; its state in .tethr/<name>. */
function startStack(base: number, name = 'stack') {
  return startLocalStack({ cwd: dir, base, orgs: 1, name, children });
}

/** A printed `npx tethr-sf <command> ...` line, run with the command class directly. */
function runPrinted(
  line: string,
  env: Record<string, string>,
  extra = ['--status-interval', '1']
): RelayChild {
  const [, , command, ...args] = line.trim().split(/\s+/); // drop "npx tethr-sf"
  const child = new RelayChild(
    spawn(process.execPath, ['--import', TSX, MAIN, command!, ...args, ...extra], {
      cwd: dir,
      env: { ...process.env, ...env, SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
  );
  children.push(child);
  return child;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-stack-'));
});
after(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

it(
  'runs on stable ports, prints the relay, backfill and doctor commands, and survives its own restart',
  { timeout: 120_000 },
  async () => {
    const base = await freeBase();
    const started = await startStack(base);
    let stack = started.child;
    const { lines, env } = started;
    const out = stack.stdout;
    assert.ok(out.includes(`Salesforce (OAuth, REST)  http://127.0.0.1:${base}\n`));
    assert.ok(out.includes(`Pub/Sub API (plaintext)   http://127.0.0.1:${base + 1}\n`));
    assert.ok(out.includes(`Tethr (Token, capture)    http://127.0.0.1:${base + 2}\n`));
    const relayLine = printedRelayLine(lines)!;
    assert.ok(relayLine, 'prints the relay command');
    assert.ok(
      lines.some((l) => l.startsWith('npx tethr-sf backfill --connection')),
      'prints the backfill command'
    );
    assert.ok(
      lines.some((l) => l.startsWith('npx tethr-sf doctor --connection')),
      'prints the doctor command'
    );
    assert.ok(
      lines.some((l) => l.startsWith('npx tethr-sf relay checkpoint show')),
      'prints the checkpoint command'
    );
    assert.ok(
      lines.some((l) => l.startsWith('npx tethr-sf relay serve')),
      'prints the service command'
    );
    assert.equal(env.TETHR_API_URL, `http://127.0.0.1:${base + 2}`);

    // The printed doctor command passes against the stack (issue 12, defect 10).
    const doctorLine = lines.find((l) => l.startsWith('npx tethr-sf doctor --connection'))!;
    // Without the TETHR_* exports, as before: doctor reads none of them.
    const doctor = runPrinted(doctorLine, {}, ['--json']);
    assert.equal(await doctor.exited, 0, doctor.stdout.slice(-3000));
    const report = (JSON.parse(doctor.stdout) as { result: { checks: { check: string; status: string }[] } })
      .result;
    assert.deepEqual(
      report.checks.filter((c) => c.status !== 'passed'),
      [],
      'every doctor check passes against the local stack'
    );

    let relay = runPrinted(relayLine, env);
    await waitFor(
      () => /Tethr has [1-9]\d* captures/.test(stack.stdout),
      60_000,
      () => relay.stderr.slice(-2000)
    );
    relay.process.kill('SIGTERM');
    assert.equal(await relay.exited, 0, relay.stderr.slice(-2000));

    // Restart the stack: same ports, same commands, and the checkpoint is still good.
    stack.process.kill('SIGINT');
    await stack.exited;
    stack = (await startStack(base)).child;
    assert.ok(stack.stdout.includes(relayLine), 'the same relay command after a restart');
    relay = runPrinted(relayLine, env);
    await relay.waitForLog((l) => l.msg === 'subscribed', 30_000);
    const subscribed = relay.logs().find((l) => l.msg === 'subscribed')!;
    assert.equal(subscribed.replayPreset, 'CUSTOM', 'resumes from its checkpoint');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.ok(!relay.stderr.includes('STORED REPLAY ID REJECTED'), relay.stderr.slice(-2000));
    relay.process.kill('SIGTERM');
    assert.equal(await relay.exited, 0);
    stack.process.kill('SIGINT');
    await stack.exited;
  }
);

it(
  'a retention gap caused on the stack: stop the relay, purge, restart; verify finds the gap and --resend closes it',
  { timeout: 180_000 },
  async () => {
    const base = await freeBase();
    const { child: stack, lines, env } = await startStack(base, 'gap');
    const relayLine = printedRelayLine(lines)!;
    const verifyLine = lines.find((l) => l.startsWith('npx tethr-sf verify --connection'))!;
    assert.ok(verifyLine, 'prints the verify command for a one-org stack');
    const purgeLine = lines.find((l) => l.includes('curl -s -X POST'))!;
    const controls = /(http:\/\/127\.0\.0\.1:\d+)\/purge/.exec(purgeLine)![1]!;
    assert.equal(controls, `http://127.0.0.1:${base + 3}`);
    const captures = async () =>
      ((await (await fetch(`${controls}/`)).json()) as { tethrCaptures: number }).tethrCaptures;

    // A checkpoint of its own: the first test's relay left one for the same org id in this directory.
    const relayArgs = ['--status-interval', '1', '--checkpoint', join('.tethr', 'gap.checkpoint')];
    let relay = runPrinted(relayLine, env, relayArgs);
    await relay.waitForLog((l) => l.msg === 'subscribed', 30_000);
    assert.equal(relay.logs().find((l) => l.msg === 'subscribed')!.replayPreset, 'LATEST');
    const since = new Date().toISOString();
    await waitFor(
      async () => (await captures()) >= 6,
      60_000,
      () => relay.stderr.slice(-2000)
    );
    relay.process.kill('SIGTERM');
    assert.equal(await relay.exited, 0, relay.stderr.slice(-2000));
    const stoppedAt = Date.now();

    // The outage: conversations close, nobody relays; then the events fall out of retention.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const purged = await fetch(`${controls}/purge`, { method: 'POST' });
    assert.equal(purged.status, 200);
    const body = (await purged.json()) as {
      purged: Record<string, { published: number; outOfRetention: number }>;
    };
    const [retention] = Object.values(body.purged);
    assert.equal(retention!.outOfRetention, retention!.published);
    // The stack writes this line to a pipe before it answers; the pipe may deliver it after the answer.
    await waitFor(
      () => /Purged: every event so far is out of retention/.test(stack.stdout),
      10_000,
      () => stack.stdout.slice(-2000)
    );

    relay = runPrinted(relayLine, env, relayArgs);
    await relay.waitForLog((l) => String(l.msg).startsWith('STORED REPLAY ID REJECTED'), 30_000);
    const restartedAt = Date.now();
    const before = await captures();
    await waitFor(
      async () => (await captures()) >= before + 3,
      30_000,
      () => relay.stderr.slice(-2000)
    );
    const until = new Date(Date.now() - 1_500).toISOString();

    // The printed --since is the stack's first start; this test checks its own window.
    const verifyWindow = verifyLine.replace(/ --since \S+/, '');
    const verifyArgs = ['--since', since, '--until', until, '--json'];
    let check = runPrinted(verifyWindow, env, verifyArgs);
    assert.equal(await check.exited, 0, check.stderr.slice(-2000));
    const found = (
      JSON.parse(check.stdout) as {
        result: { totals: { missing: number }; missing: Array<{ closedAt: string }> };
      }
    ).result;
    assert.ok(found.totals.missing >= 3, `the outage lost conversations: ${check.stdout.slice(0, 2000)}`);
    for (const { closedAt } of found.missing) {
      const at = Date.parse(closedAt);
      assert.ok(
        at >= stoppedAt - 1_500 && at <= restartedAt + 1_500,
        `missing ${closedAt} closed during the outage`
      );
    }

    check = runPrinted(verifyWindow, env, [...verifyArgs, '--resend']);
    assert.equal(await check.exited, 0, check.stderr.slice(-2000));
    const resent = (
      JSON.parse(check.stdout) as { result: { resend: { recovered: number; stillMissing: unknown[] } } }
    ).result.resend;
    assert.deepEqual([resent.recovered, resent.stillMissing.length], [found.totals.missing, 0]);

    check = runPrinted(verifyWindow, env, verifyArgs);
    assert.equal(await check.exited, 0, check.stderr.slice(-2000));
    assert.equal(
      (JSON.parse(check.stdout) as { result: { totals: { missing: number } } }).result.totals.missing,
      0
    );

    relay.process.kill('SIGTERM');
    assert.equal(await relay.exited, 0);
    stack.process.kill('SIGINT');
    await stack.exited;
  }
);
