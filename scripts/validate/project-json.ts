import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { checkJsonSchema, parseJsonFile } from './json-schema-check.ts';
import type { Problem } from './problem.ts';

/** Validates sfdx-project.json with ajv against the JSON schema in @salesforce/schemas. */
export function checkSfdxProjectJson(projectRoot: string): Problem[] {
  const json = parseJsonFile(
    'sfdx-project.json',
    readFileSync(join(projectRoot, 'sfdx-project.json'), 'utf8')
  );
  if (!('data' in json)) return [json];
  const require = createRequire(import.meta.url);
  return checkJsonSchema(json, require('@salesforce/schemas/sfdx-project.schema.json') as object);
}
