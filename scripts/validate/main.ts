import { parseArgs } from 'node:util';
import { loadMessages } from '../shared/messages.ts';
import { findPackageDirectory, loadProject } from './project.ts';
import { formatReport, toJson, type ValidationJsonResult } from './report.ts';
import { validateProject } from './validate.ts';

// Output contract: stdout carries only what was asked for (the JSON result, or one package's
// package.xml), so it can be piped or redirected; the human report always goes to stderr.
const messages = loadMessages('validate');

type Options = { json: boolean; packageXml: boolean; packageName?: string; projectDir: string };

function parseOptions(argv: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        'package-xml': { type: 'boolean', default: false },
        package: { type: 'string' },
        'project-dir': { type: 'string', default: process.cwd() },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }));
  } catch (error) {
    throw messages.createError('error.BadArguments', [(error as Error).message]);
  }
  if (values.help) return 'help';
  if (values.package !== undefined && !values['package-xml']) {
    throw messages.createError('error.PackageWithoutManifest');
  }
  return {
    json: values.json,
    packageXml: values['package-xml'],
    projectDir: values['project-dir'],
    ...(values.package !== undefined ? { packageName: values.package } : {})
  };
}

/**
 * `npm run` (unless -s / --silent) writes its own "> package script" banner to stdout before the
 * validator starts, which would corrupt a redirected manifest or JSON result. Refuse instead of
 * producing a file that only looks right.
 */
function assertNoNpmBanner(options: Options): void {
  const underNpmRun = process.env.npm_command === 'run' || process.env.npm_command === 'run-script';
  const npmIsQuiet = process.env.npm_config_loglevel === 'silent';
  if ((options.json || options.packageXml) && underNpmRun && !npmIsQuiet && !process.stdout.isTTY) {
    const flag = options.json ? '--json' : '--package-xml';
    // One token per %s of the actions: @salesforce/core hands them out across the list.
    throw messages.createError('error.NpmBanner', [], [flag, flag]);
  }
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === 'help') {
    process.stdout.write(`${messages.getMessage('usage')}\n`);
    return 0;
  }
  assertNoNpmBanner(options);
  // Resolve --package before the (slower) validation, so a wrong name fails at once.
  const manifestOf = options.packageXml
    ? findPackageDirectory(loadProject(options.projectDir), options.packageName)
    : undefined;
  const result = await validateProject(options.projectDir);
  process.stderr.write(`${formatReport(result)}\n`);
  const packageXml: ValidationJsonResult['packageXml'] = manifestOf
    ? {
        package: manifestOf.packageName ?? manifestOf.path,
        directory: manifestOf.path,
        xml: result.packageXmls.get(manifestOf.path) ?? ''
      }
    : undefined;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(toJson(result, packageXml), null, 2)}\n`);
  } else if (packageXml) {
    process.stdout.write(packageXml.xml);
  }
  return result.ok ? 0 : 1;
}

/** An error the validator could not get past: exit 2, in the sf --json error shape when asked. */
function fail(caught: unknown, json: boolean): number {
  // Our own errors carry actions; anything else (a library failing) is wrapped with one.
  const error = (caught as { actions?: string[] }).actions
    ? (caught as Error & { actions: string[] })
    : messages.createError('error.ValidatorFailed', [
        caught instanceof Error ? caught.message : String(caught)
      ]);
  const sfError = error as { name?: string; actions?: string[] };
  const message = error.message;
  if (json) {
    const output = {
      status: 2,
      name: sfError.name ?? 'ValidatorFailed',
      message,
      ...(sfError.actions ? { actions: sfError.actions } : {}),
      warnings: []
    };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    const actions = (sfError.actions ?? []).map((action) => `\n  Try this: ${action}`).join('');
    process.stderr.write(`validate: ${message}${actions}\n`);
  }
  return 2;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = fail(error, argv.includes('--json'));
  }
);
