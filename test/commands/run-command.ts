import assert, { AssertionError } from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

// A minimal oclif root: loading the real registry (every command and its imports) per test file
// costs seconds; the command class under test is all a test needs.
export const OCLIF_ROOT = fileURLToPath(new URL('./oclif-root/', import.meta.url));

export interface CommandRun<T> {
  result?: T;
  error?: Error & { actions?: string[]; exitCode?: number; name: string };
  stdout: string;
  stderr: string;
  /** process.exitCode as the command left it (restored afterwards) */
  exitCode: number;
}

/**
 * Every secret the fake orgs and fixtures hand out is spelled so this matches it: consumer
 * secrets, passwords, security tokens and access tokens. Any of them in a command's output is a
 * leak, unless the test asked for it with --show-secrets.
 */
const TEST_SECRETS =
  /S3CR3T|do-not-print|FAKESECRET-|PACKAGED-SECRET|PUBLISHER-SECRET|LEGACY-(SECRET|PASS|TOKEN)|00DFAKE!|BEGIN (RSA )?PRIVATE KEY|eyJhbGciOi/;

function assertNoSecrets(argv: string[], stdout: string, stderr: string): void {
  if (argv.includes('--show-secrets')) return;
  for (const [stream, text] of [
    ['stdout', stdout],
    ['stderr', stderr]
  ] as const) {
    const leak = TEST_SECRETS.exec(text);
    if (leak) {
      throw new AssertionError({
        message: `A secret ("${leak[0]}...") reached ${stream} of \`${argv.join(' ')}\`.`
      });
    }
  }
}

interface RunnableCommand<T> {
  run(argv: string[], opts: string): Promise<T>;
}

/**
 * Runs a command class the way the CLI does (oclif config from this repository's package.json)
 * and captures everything it writes; fails the test if a known test secret shows up in it.
 */
export async function runCommand<T>(command: RunnableCommand<T>, argv: string[]): Promise<CommandRun<T>> {
  let stdout = '';
  let stderr = '';
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  // node:test reports to its parent through stdout as binary (v8-serialized) frames, which must
  // pass through; the CLI writes text.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (originalOut as (...args: unknown[]) => boolean)(chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (originalErr as (...args: unknown[]) => boolean)(chunk, ...rest);
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  const savedExitCode = process.exitCode;
  let run: CommandRun<T>;
  try {
    process.exitCode = undefined;
    const result = await command.run(argv, OCLIF_ROOT);
    run = { result, stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } catch (error) {
    run = {
      error: error as CommandRun<T>['error'],
      stdout,
      stderr,
      exitCode: Number(process.exitCode ?? 1)
    };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = savedExitCode;
  }
  assertNoSecrets(argv, run.stdout, run.stderr);
  return run;
}

/**
 * A command class whose instances' run() resolves to T. oclif types the static run loosely (a
 * command's result comes out as Promise<Promise<T>>); this ties T to the command instead.
 */
export interface CommandClass<T> {
  run(argv: string[], opts: string): Promise<unknown>;
  prototype: { run(): Promise<T> };
}

/** runCommand, with the result typed as the command's run() resolves. */
export async function runCommandAs<T>(command: CommandClass<T>, argv: string[]): Promise<CommandRun<T>> {
  return (await runCommand<unknown>(command, argv)) as CommandRun<T>;
}

/** The command's result; fails the test if it failed, with its error and the end of its stderr. */
export function succeeded<T>(run: CommandRun<T>): T {
  assert.equal(run.error, undefined, `${run.error?.message}\n${run.stderr.slice(-2000)}`);
  return run.result!;
}
