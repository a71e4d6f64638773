import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Problem } from './problem.ts';

export type JsonFile = {
  /** Relative to the project root. */
  file: string;
  text: string;
  data: unknown;
};

/** Reads JSON text; a syntax error becomes a problem instead of an exception. */
export function parseJsonFile(file: string, text: string): JsonFile | Problem {
  try {
    return { file, text, data: JSON.parse(text) as unknown };
  } catch (error) {
    return { file, line: 1, column: 1, message: `not valid JSON: ${(error as Error).message}` };
  }
}

/** A problem at the first place `needle` occurs in the file (approximate, but enough to find the spot). */
export function problemAt(json: JsonFile, needle: string | undefined, message: string): Problem {
  const index = needle ? json.text.indexOf(needle) : -1;
  if (index < 0) return { file: json.file, line: 1, column: 1, message };
  const before = json.text.slice(0, index).split('\n');
  return { file: json.file, line: before.length, column: (before.at(-1)?.length ?? 0) + 1, message };
}

/**
 * Validates with ajv (all errors). Where the schema offers alternatives (anyOf), ajv reports the failure of
 * every branch; only the branch closest to the data (fewest errors) is kept, so messages stay readable.
 * `describe` may word an error itself (return undefined to keep ajv's message).
 */
export function checkJsonSchema(
  json: JsonFile,
  schema: object,
  describe: (error: ErrorObject, value: unknown) => string | undefined = () => undefined
): Problem[] {
  const validate = compiled(schema);
  if (validate(json.data)) return [];
  const seen = new Set<string>();
  return closestBranches(validate.errors ?? []).flatMap((error) => {
    const value = valueAt(json.data, error.instancePath);
    const extra = (error.params as { additionalProperty?: string }).additionalProperty;
    const needle = extra
      ? JSON.stringify(extra)
      : typeof value === 'string'
        ? JSON.stringify(value)
        : lastKey(error.instancePath);
    const where = error.instancePath || '/';
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
    const detail = extra
      ? `has the unknown property "${extra}"`
      : `${error.message ?? 'is invalid'}${allowed ? `: ${allowed.join(', ')}` : ''}`;
    const problem = problemAt(json, needle, `${where} ${describe(error, value) ?? detail}`);
    const key = `${problem.line}:${problem.message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [problem];
  });
}

/** Compiling the scratch definition schema takes about 0.1 s: compile each schema once per process. */
const COMPILED = new WeakMap<object, ValidateFunction>();

function compiled(schema: object): ValidateFunction {
  let validate = COMPILED.get(schema);
  if (!validate) {
    validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    COMPILED.set(schema, validate);
  }
  return validate;
}

function closestBranches(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  errors.forEach((anyOf, position) => {
    if (anyOf.keyword !== 'anyOf') return;
    // ajv lists the errors of every branch just before the anyOf error. Branches written inline are told
    // apart by their schema path (.../anyOf/N/...); errors of a $ref branch have the referenced schema's
    // own paths, so those are taken together as one branch.
    const prefix = `${anyOf.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors.slice(0, position)) {
      if (dropped.has(error) || !error.instancePath.startsWith(anyOf.instancePath)) continue;
      const branch = error.schemaPath.startsWith(prefix)
        ? (error.schemaPath.slice(prefix.length).split('/')[0] ?? '')
        : 'ref';
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const fewest = Math.min(...[...branches.values()].map((branch) => branch.length));
    // Ties keep every tied branch: each is an equally short way to fix the data.
    const best = [...branches.values()].filter((branch) => branch.length === fewest).flat();
    for (const error of [...branches.values()].flat()) if (!best.includes(error)) dropped.add(error);
    // Many alternatives of one error each (a list of allowed patterns) read better as the anyOf message.
    if (fewest === 1 && branches.size > 2) for (const error of best) dropped.add(error);
    else dropped.add(anyOf);
  });
  return errors.filter((error) => !dropped.has(error));
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const segment of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

function lastKey(pointer: string): string | undefined {
  const segment = pointer.split('/').at(-1);
  return segment && !/^\d+$/.test(segment) ? JSON.stringify(segment) : undefined;
}
