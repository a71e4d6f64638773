#!/usr/bin/env node
// Entry point of the standalone `tethr-sf` binary: the compiled commands in lib/ (`npm run build`),
// the same ones the sf plugin runs as `sf tethr ...`, under ids without the topic (oclif root
// lib/standalone, see scripts/build/standalone-root.ts). Needs Node 22 or newer: the Salesforce
// libraries crash on older Node, so an older `node` hands over to the Node 22 that the npm
// package `node` installs into node_modules in a clone of the repository. Keep this file plain
// JavaScript that old Node versions can parse.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);

/**
 * Calls `onOrphaned` once this process's parent is gone (it was re-parented). npm exec (`npx
 * tethr-sf ...`) runs us under `sh -c`, and on SIGTERM npm stops and the shell dies without passing
 * the signal on: without this, a supervisor that stops `npx tethr-sf relay` would leave the relay
 * running. Only under npm (npm_command is set): a deliberate `nohup tethr-sf relay &` keeps running.
 */
function whenOrphaned(onOrphaned) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, 500);
  timer.unref();
}

if (major < 22) {
  const candidates = [
    join(root, 'node_modules', 'node', 'bin', 'node'),
    join(root, 'node_modules', '.bin', 'node')
  ];
  const node22 = candidates.find((candidate) => existsSync(candidate));
  if (!node22 || process.env.TETHR_SF_REEXEC === '1') {
    process.stderr.write(
      `tethr-sf needs Node.js 22 or newer; this is ${process.version}.\n` +
        'Install Node.js 22 (https://nodejs.org), or in a clone of the repository run `npm ci`, which brings Node 22 into node_modules.\n'
    );
    process.exit(1);
  }
  // The IPC channel is the child's lifeline: it closes when this wrapper dies, however it dies
  // (kill -9 included), and the child then stops as if it had been sent SIGTERM.
  const child = spawn(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, TETHR_SF_REEXEC: '1' }
  });
  child.channel?.unref();
  // A supervisor (systemd, a container runtime) signals this wrapper's pid: pass the signal on so
  // that a long-running command such as `relay` drains and checkpoints instead of being cut off.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  if (process.env.npm_command) whenOrphaned(() => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
  child.on('error', (error) => {
    process.stderr.write(`tethr-sf could not start ${node22}: ${error.message}\n`);
    process.exit(1);
  });
} else if (!existsSync(join(root, 'lib', 'standalone', 'oclif.manifest.json'))) {
  process.stderr.write(
    'tethr-sf is not built: run `npm run build` in the repository (`npm run setup` does it).\n'
  );
  process.exitCode = 1;
} else {
  if (process.env.TETHR_SF_REEXEC === '1' && process.channel) {
    // Started by the wrapper above: stop (gracefully, as on SIGTERM) when it is gone.
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  } else if (process.env.npm_command) {
    whenOrphaned(() => process.kill(process.pid, 'SIGTERM'));
  }
  // Messages name commands the way this reader runs them (scripts/shared/messages.ts).
  process.env.TETHR_SF_BIN = 'tethr-sf';
  // A promise chain rather than top-level await: oclif may exit the process while it runs.
  import('@oclif/core')
    .then((oclif) => {
      // Compiled JavaScript only: never look for TypeScript sources next to lib/.
      oclif.settings.enableAutoTranspile = false;
      return oclif.execute({ dir: pathToFileURL(join(root, 'lib', 'standalone', 'package.json')).href });
    })
    .catch((error) => {
      process.stderr.write(
        `tethr-sf could not start: ${error instanceof Error ? error.message : String(error)}\n`
      );
      process.exitCode = 1;
    });
}
