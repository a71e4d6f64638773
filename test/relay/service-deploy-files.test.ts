import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import RelayServe from '../../scripts/commands/relay-serve.ts';
import { ROOT } from './helpers/relay-env.ts';

// The container image and the Kubernetes example of issue 10, read as files (no image is built
// and no cluster is reachable here): the image runs `relay serve` on Node 22 as a non-root user;
// the Deployment runs several replicas with probes on the paths the service serves, takes the
// app credential, Tethr's credentials and the database URL from a Secret, gives the drain time to
// finish, and passes only flags `relay serve` has.

const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
const manifest = await readFile(join(ROOT, 'deploy', 'kubernetes', 'relay.yaml'), 'utf8');
const healthServer = await readFile(join(ROOT, 'scripts', 'relay', 'service', 'health-server.ts'), 'utf8');

/** `--name=value` or `--name value` flags of an argument list, by name. */
function flagsOf(args: string[]): Map<string, string | undefined> {
  const flags = new Map<string, string | undefined>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) continue;
    const [name, value] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = args[i + 1];
    flags.set(name, value ?? (next !== undefined && !next.startsWith('--') ? next : undefined));
  }
  return flags;
}

function assertServeFlags(args: string[], where: string): Map<string, string | undefined> {
  assert.deepEqual(args.slice(0, 2), ['relay', 'serve'], `${where} runs relay serve`);
  const flags = flagsOf(args.slice(2));
  for (const name of flags.keys())
    assert.ok(name in RelayServe.flags, `${where}: --${name} is a flag of relay serve`);
  return flags;
}

it('the image runs relay serve on Node 22 as a non-root user', () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
  assert.ok(stages.length > 0);
  for (const image of stages) assert.match(image, /^node:22[.-]/, `every stage is Node 22: ${image}`);
  const runStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const user = /^USER\s+(\S+)/m.exec(runStage)?.[1];
  assert.ok(
    user && !['root', '0', '0:0'].includes(user),
    `the run stage switches to a non-root user: ${user}`
  );
  const entrypoint = JSON.parse(/^ENTRYPOINT\s+(\[.*\])$/m.exec(runStage)![1]!) as string[];
  assert.deepEqual(entrypoint, ['node', 'bin/tethr-sf.js']);
  const cmd = JSON.parse(/^CMD\s+(\[.*\])$/m.exec(runStage)![1]!) as string[];
  const flags = assertServeFlags(cmd, 'CMD');
  assert.equal(
    /^EXPOSE\s+(\d+)/m.exec(runStage)?.[1],
    flags.get('http-port'),
    'the exposed port is the metrics port'
  );
});

it('the Kubernetes example: replicas, probes, a Secret with every credential, time to drain', () => {
  const deployment = manifest.slice(manifest.indexOf('kind: Deployment'));
  const replicas = Number(/^\s+replicas:\s*(\d+)/m.exec(deployment)?.[1]);
  assert.ok(replicas >= 2, `several replicas: ${replicas}`);

  for (const [probe, path] of [
    ['readinessProbe', '/readyz'],
    ['livenessProbe', '/healthz']
  ] as const) {
    const block = new RegExp(`${probe}:\\s*\\n\\s*httpGet:\\s*\\{\\s*path:\\s*(\\S+?),`).exec(deployment);
    assert.equal(block?.[1], path, `${probe} asks ${path}`);
    assert.ok(healthServer.includes(`path === '${path}'`), `the service answers ${path}`);
  }
  assert.match(deployment, /runAsNonRoot:\s*true/);

  const secret = manifest.slice(manifest.indexOf('kind: Secret'), manifest.indexOf('kind: Deployment'));
  const secretName = /^\s+name:\s*(\S+)/m.exec(secret)?.[1];
  const keys = [...secret.matchAll(/^\s+(TETHR_\w+):/gm)].map((m) => m[1]!);
  for (const key of [
    'TETHR_DATABASE_URL',
    'TETHR_API_URL',
    'TETHR_API_CLIENT_ID',
    'TETHR_API_CLIENT_SECRET',
    'TETHR_SF_CONSUMER_KEY'
  ])
    assert.ok(keys.includes(key), `the Secret holds ${key}`);
  assert.match(
    deployment,
    new RegExp(`secretRef:\\s*\\{\\s*name:\\s*${secretName}\\s*\\}`),
    'the container takes its environment from that Secret'
  );

  const argsBlock = /^\s+args:\s*\n((?:\s+- .*\n)+)/m.exec(deployment)![1]!;
  const args = [...argsBlock.matchAll(/- (\S+)/g)].map((m) => m[1]!);
  const flags = assertServeFlags(args, 'the Deployment');
  const grace = Number(/terminationGracePeriodSeconds:\s*(\d+)/.exec(deployment)?.[1]);
  const drain = Number(flags.get('drain-timeout') ?? RelayServe.flags['drain-timeout'].default);
  assert.ok(
    grace > drain,
    `terminationGracePeriodSeconds ${grace} leaves the ${drain} s drain time to finish`
  );
  const port = /containerPort:\s*(\d+)/.exec(deployment)?.[1];
  assert.equal(flags.get('http-port'), port, 'the probes reach the port relay serve listens on');
});
