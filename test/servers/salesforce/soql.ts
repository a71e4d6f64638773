/**
 * A deliberately small SOQL evaluator for the fake org: SELECT fields FROM Object, WHERE with
 * AND-joined comparisons (=, !=, <, >, <=, >=, IN, NOT IN, LIKE), ORDER BY one field and LIMIT.
 * Relationship fields (Profile.Name) resolve through the `<Rel>Id` lookup. Anything else throws
 * MALFORMED_QUERY, so a test notices when the code under test starts using more of SOQL.
 */
export type SObjectRecord = Record<string, unknown> & { Id: string };

export interface ParsedQuery {
  fields: string[];
  object: string;
  where: Condition[];
  orderBy?: { field: string; descending: boolean };
  limit?: number;
}

interface Condition {
  field: string;
  op: string;
  value: unknown;
}

export class SoqlError extends Error {}

const VALUE = String.raw`'(?:[^'\\]|\\.)*'|true|false|null|-?\d+(?:\.\d+)?|\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})`;

export function parseSoql(soql: string): ParsedQuery {
  const text = soql.trim().replace(/\s+/g, ' ');
  const match =
    /^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?(?: ORDER BY ([\w.]+)(?: (ASC|DESC))?)?(?: LIMIT (\d+))?$/i.exec(
      text
    );
  if (!match) throw new SoqlError(`MALFORMED_QUERY: the fake cannot parse: ${soql}`);
  const [, fieldList, object, whereText, orderField, direction, limit] = match;
  const parsed: ParsedQuery = {
    fields: fieldList!.split(',').map((f) => f.trim()),
    object: object!,
    where: whereText ? parseWhere(whereText) : []
  };
  if (orderField) parsed.orderBy = { field: orderField, descending: direction?.toUpperCase() === 'DESC' };
  if (limit) parsed.limit = Number(limit);
  return parsed;
}

function parseWhere(text: string): Condition[] {
  const conditions: Condition[] = [];
  const pattern = new RegExp(
    String.raw`^\(?\s*([\w.]+)\s*(=|!=|<=|>=|<|>|NOT IN|IN|LIKE)\s*(\((?:\s*(?:${VALUE})\s*,?)+\)|${VALUE})\s*\)?\s*(?:AND\s+|$)`,
    'i'
  );
  let rest = text.trim();
  while (rest.length > 0) {
    const match = pattern.exec(rest);
    if (!match) throw new SoqlError(`MALFORMED_QUERY: the fake cannot parse the condition: ${rest}`);
    const [whole, field, op, raw] = match;
    const value = raw!.startsWith('(')
      ? [...raw!.matchAll(new RegExp(VALUE, 'g'))].map((m) => literal(m[0]))
      : literal(raw!);
    conditions.push({ field: field!, op: op!.toUpperCase(), value });
    rest = rest.slice(whole!.length).trim();
  }
  return conditions;
}

function literal(raw: string): unknown {
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?\d/.test(raw) && !raw.includes('T')) return Number(raw);
  return raw;
}

export type Lookup = (id: string) => SObjectRecord | undefined;

export function resolveField(record: SObjectRecord, field: string, lookup: Lookup): unknown {
  const parts = field.split('.');
  let current: unknown = record;
  for (const [index, part] of parts.entries()) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    const obj = current as Record<string, unknown>;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    if (key !== undefined) {
      current = obj[key];
      continue;
    }
    if (index < parts.length - 1) {
      const idKey = Object.keys(obj).find((k) => k.toLowerCase() === `${part.toLowerCase()}id`);
      const id = idKey ? obj[idKey] : undefined;
      current = typeof id === 'string' ? lookup(id) : undefined;
      continue;
    }
    return undefined;
  }
  return current;
}

function compare(actual: unknown, op: string, expected: unknown): boolean {
  const eq = (a: unknown, b: unknown) =>
    typeof a === 'string' && typeof b === 'string'
      ? a.toLowerCase() === b.toLowerCase() || sameId(a, b)
      : (a ?? null) === b;
  switch (op) {
    case '=':
      return eq(actual, expected);
    case '!=':
      return !eq(actual, expected);
    case 'IN':
      return (expected as unknown[]).some((v) => eq(actual, v));
    case 'NOT IN':
      return !(expected as unknown[]).some((v) => eq(actual, v));
    case 'LIKE': {
      const regex = new RegExp(
        `^${String(expected)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')
          .replace(/_/g, '.')}$`,
        'i'
      );
      return typeof actual === 'string' && regex.test(actual);
    }
    default: {
      if (actual === null || actual === undefined) return false;
      const a = actual as string | number;
      const b = expected as string | number;
      if (op === '<') return a < b;
      if (op === '>') return a > b;
      if (op === '<=') return a <= b;
      return a >= b;
    }
  }
}

/** Salesforce accepts a 15-character id where the 18-character one is stored, and vice versa. */
function sameId(a: string, b: string): boolean {
  return (
    /^[0-9a-zA-Z]{15,18}$/.test(a) &&
    /^[0-9a-zA-Z]{15,18}$/.test(b) &&
    a.slice(0, 15) === b.slice(0, 15) &&
    a.length !== b.length
  );
}

export function runQuery(
  query: ParsedQuery,
  records: SObjectRecord[],
  lookup: Lookup,
  instanceUrl: string,
  apiPath: string
): { totalSize: number; done: boolean; records: Record<string, unknown>[] } {
  let rows = records.filter((record) =>
    query.where.every((c) => compare(resolveField(record, c.field, lookup), c.op, c.value))
  );
  if (query.orderBy) {
    const { field, descending } = query.orderBy;
    rows = [...rows].sort((x, y) => {
      const a = resolveField(x, field, lookup) as string | number;
      const b = resolveField(y, field, lookup) as string | number;
      const order = a < b ? -1 : a > b ? 1 : 0;
      return descending ? -order : order;
    });
  }
  if (query.limit !== undefined) rows = rows.slice(0, query.limit);
  const shaped = rows.map((record) => shape(record, query, lookup, instanceUrl, apiPath));
  return { totalSize: shaped.length, done: true, records: shaped };
}

function shape(
  record: SObjectRecord,
  query: ParsedQuery,
  lookup: Lookup,
  instanceUrl: string,
  apiPath: string
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: query.object, url: `${apiPath}/sobjects/${query.object}/${record.Id}` }
  };
  void instanceUrl;
  for (const field of query.fields) {
    const parts = field.split('.');
    if (parts.length === 1) {
      out[field] = resolveField(record, field, lookup) ?? null;
      continue;
    }
    // Nest relationship values the way the REST API does: { Profile: { attributes, Name } }.
    let target = out;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) {
        target[part] = resolveField(record, field, lookup) ?? null;
      } else {
        target[part] ??= { attributes: { type: part } };
        target = target[part] as Record<string, unknown>;
      }
    }
  }
  return out;
}
