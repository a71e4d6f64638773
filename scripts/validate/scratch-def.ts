import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { checkJsonSchema, parseJsonFile, problemAt, type JsonFile } from './json-schema-check.ts';
import type { MetadataSchema } from './metadata-schema.ts';
import type { Problem } from './problem.ts';

/**
 * Features that Salesforce's help article on External Client Apps names for scratch org definitions but
 * that the strict features enum of @salesforce/schemas does not list yet (salesforce-facts.md §6).
 */
export const EXTRA_SCRATCH_FEATURES = ['ExternalClientApps', 'ExtlClntAppSecretExposeCtl'];

type ScratchSchema = { definitions: { features: { items: { anyOf: object[] } } } } & Record<string, unknown>;

let cachedSchema: ScratchSchema | undefined;

function scratchDefinitionSchema(): ScratchSchema {
  if (cachedSchema) return cachedSchema;
  const require = createRequire(import.meta.url);
  const schema = structuredClone(
    require('@salesforce/schemas/project-scratch-def.schema.json') as ScratchSchema
  );
  for (const feature of EXTRA_SCRATCH_FEATURES) {
    schema.definitions.features.items.anyOf.push({ type: 'string', const: feature, title: feature });
  }
  cachedSchema = schema;
  return schema;
}

/**
 * Validates a scratch org definition with ajv against the JSON schema Salesforce publishes, then checks
 * each `settings` block against its Metadata API settings type (field names, booleans, enums), which the
 * JSON schema leaves open.
 */
export function checkScratchDefinition(
  projectRoot: string,
  relativePath: string,
  metadata: MetadataSchema
): Problem[] {
  const json = parseJsonFile(relativePath, readFileSync(join(projectRoot, relativePath), 'utf8'));
  if (!('data' in json)) return [json];
  return [
    ...checkJsonSchema(json, scratchDefinitionSchema(), describeFeature),
    ...checkSettings(json, metadata)
  ];
}

function describeFeature(error: ErrorObject, value: unknown): string | undefined {
  if (error.keyword !== 'anyOf' || !error.instancePath.startsWith('/features/')) return undefined;
  return `feature ${JSON.stringify(value)} is not a scratch org feature known to @salesforce/schemas (nor one of ${EXTRA_SCRATCH_FEATURES.join(', ')}); check its spelling in the Scratch Org Features list`;
}

function checkSettings(json: JsonFile, metadata: MetadataSchema): Problem[] {
  const settings = (json.data as { settings?: Record<string, unknown> }).settings;
  if (!settings || typeof settings !== 'object') return [];
  const problems: Problem[] = [];
  for (const [key, block] of Object.entries(settings)) {
    const type = metadata.getType(key.charAt(0).toUpperCase() + key.slice(1));
    if (!type || !block || typeof block !== 'object') continue;
    for (const [name, value] of Object.entries(block as Record<string, unknown>)) {
      const field = type.fields.get(name);
      const at = (message: string): number => problems.push(problemAt(json, JSON.stringify(name), message));
      if (!field) at(`settings.${key}.${name} is not a field of ${type.name}; check the spelling`);
      else if (field.kind === 'boolean' && typeof value !== 'boolean') {
        at(`settings.${key}.${name} must be true or false`);
      } else if (field.kind === 'enum' && !field.enumValues?.includes(String(value))) {
        at(`settings.${key}.${name} must be one of ${field.enumValues?.join(', ')}`);
      }
    }
  }
  return problems;
}
