import { parseArgs } from 'node:util';
import { formatReport, toJson } from './report.ts';
import { validateProject } from './validate.ts';

const USAGE = `Usage: npm run validate -- [--json] [--package-xml] [--project-dir DIR]

Offline validation of the SFDX project: source-deploy-retrieve resolve and convert, metadata XML against
@salesforce/types, cross-references, Lightning Flow Scanner, and the scratch org definition.
  --json          print the result as JSON
  --package-xml   print the package.xml of everything resolved (after the report)
  --project-dir   project root (default: the current directory)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'package-xml': { type: 'boolean', default: false },
      'project-dir': { type: 'string', default: process.cwd() },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const result = await validateProject(values['project-dir']);
  if (values.json) {
    const output = values['package-xml']
      ? { ...toJson(result), packageXml: result.packageXml }
      : toJson(result);
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReport(result)}\n`);
    if (values['package-xml']) process.stdout.write(`\n${result.packageXml}`);
  }
  return result.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`validate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
);
