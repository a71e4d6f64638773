/**
 * A small SOQL evaluator for the fake org: SELECT with fields, relationship fields (Contact.Email)
 * and parent-child subqueries ((SELECT ... FROM EmailMessages ORDER BY MessageDate)), FROM one
 * object, WHERE with AND-joined comparisons (=, !=, <, >, <=, >=, IN, NOT IN, LIKE; date-times
 * compare as instants), ORDER BY several fields, LIMIT and OFFSET. It returns only the fields
 * the query selects, nested the way the REST API nests them, so code that reads a field it did
 * not select finds nothing. Anything else throws MALFORMED_QUERY, so a test notices when the code
 * under test starts using more of SOQL.
 */
export type SObjectRecord = Record<string, unknown> & { Id: string };

export interface ParsedQuery {
  /** plain and relationship fields, as written (Id, Contact.Email) */
  fields: string[];
  subqueries: { relationship: string; query: ParsedQuery }[];
  object: string;
  where: Condition[];
  orderBy: { field: string; descending: boolean }[];
  limit?: number;
  offset?: number;
}

export interface Condition {
  field: string;
  op: string;
  value: unknown;
}

export class SoqlError extends Error {}

type Token = { kind: 'word' | 'string' | 'number' | 'datetime' | 'punct' | 'op'; text: string };

const TOKEN = new RegExp(
  [
    String.raw`(?<string>'(?:[^'\\]|\\.)*')`,
    String.raw`(?<datetime>\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2}))?(?![\w.]))`,
    String.raw`(?<number>-?\d+(?:\.\d+)?(?![\w]))`,
    String.raw`(?<op><=|>=|!=|<>|=|<|>)`,
    String.raw`(?<punct>[(),])`,
    String.raw`(?<word>[A-Za-z_][\w.]*)`
  ].join('|'),
  'y'
);

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < soql.length) {
    const space = /\s+/y;
    space.lastIndex = index;
    if (space.exec(soql)) {
      index = space.lastIndex;
      continue;
    }
    TOKEN.lastIndex = index;
    const match = TOKEN.exec(soql);
    if (!match?.groups)
      throw new SoqlError(
        `MALFORMED_QUERY: unexpected character at ${index}: ${soql.slice(index, index + 20)}`
      );
    const [kind, text] = Object.entries(match.groups).find(([, v]) => v !== undefined)!;
    tokens.push({ kind: kind as Token['kind'], text: text! });
    index = TOKEN.lastIndex;
  }
  return tokens;
}

class Parser {
  #i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly soql: string
  ) {}

  query(): ParsedQuery {
    this.keyword('SELECT');
    const fields: string[] = [];
    const subqueries: ParsedQuery['subqueries'] = [];
    for (;;) {
      if (this.peekPunct('(')) {
        this.next();
        const inner = this.query();
        this.expectPunct(')');
        subqueries.push({ relationship: inner.object, query: inner });
      } else {
        fields.push(this.word());
      }
      if (!this.peekPunct(',')) break;
      this.next();
    }
    this.keyword('FROM');
    const query: ParsedQuery = { fields, subqueries, object: this.word(), where: [], orderBy: [] };
    if (this.peekKeyword('WHERE')) {
      this.next();
      query.where.push(this.condition());
      while (this.peekKeyword('AND')) {
        this.next();
        query.where.push(this.condition());
      }
    }
    if (this.peekKeyword('ORDER')) {
      this.next();
      this.keyword('BY');
      for (;;) {
        const field = this.word();
        let descending = false;
        if (this.peekKeyword('ASC') || this.peekKeyword('DESC'))
          descending = this.next().text.toUpperCase() === 'DESC';
        query.orderBy.push({ field, descending });
        if (!this.peekPunct(',')) break;
        this.next();
      }
    }
    if (this.peekKeyword('LIMIT')) {
      this.next();
      query.limit = Number(this.expect('number').text);
    }
    if (this.peekKeyword('OFFSET')) {
      this.next();
      query.offset = Number(this.expect('number').text);
    }
    return query;
  }

  done(): void {
    if (this.#i < this.tokens.length) this.fail(`unexpected ${this.tokens[this.#i]!.text}`);
  }

  condition(): Condition {
    const optional = this.peekPunct('(');
    if (optional) this.next();
    const field = this.word();
    let op: string;
    if (this.peekKeyword('NOT')) {
      this.next();
      this.keyword('IN');
      op = 'NOT IN';
    } else if (this.peekKeyword('IN') || this.peekKeyword('LIKE')) {
      op = this.next().text.toUpperCase();
    } else {
      op = this.expect('op').text;
      if (op === '<>') op = '!=';
    }
    let value: unknown;
    if (op === 'IN' || op === 'NOT IN') {
      this.expectPunct('(');
      const values: unknown[] = [this.value()];
      while (this.peekPunct(',')) {
        this.next();
        values.push(this.value());
      }
      this.expectPunct(')');
      value = values;
    } else {
      value = this.value();
    }
    if (optional) this.expectPunct(')');
    return { field, op, value };
  }

  value(): unknown {
    const token = this.next();
    if (token.kind === 'string') return token.text.slice(1, -1).replace(/\\(.)/g, '$1');
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'datetime') return { datetime: token.text };
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    return this.fail(`expected a value, got ${token.text}`);
  }

  word(): string {
    return this.expect('word').text;
  }

  keyword(word: string): void {
    const token = this.next();
    if (token.kind !== 'word' || token.text.toUpperCase() !== word)
      this.fail(`expected ${word}, got ${token.text}`);
  }

  peekKeyword(word: string): boolean {
    const token = this.tokens[this.#i];
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }

  peekPunct(text: string): boolean {
    const token = this.tokens[this.#i];
    return token?.kind === 'punct' && token.text === text;
  }

  expectPunct(text: string): void {
    const token = this.next();
    if (token.kind !== 'punct' || token.text !== text) this.fail(`expected ${text}, got ${token.text}`);
  }

  expect(kind: Token['kind']): Token {
    const token = this.next();
    if (token.kind !== kind) this.fail(`expected a ${kind}, got ${token.text}`);
    return token;
  }

  next(): Token {
    const token = this.tokens[this.#i];
    if (!token) this.fail('unexpected end of query');
    this.#i += 1;
    return token!;
  }

  fail(problem: string): never {
    throw new SoqlError(`MALFORMED_QUERY: the fake cannot parse (${problem}): ${this.soql}`);
  }
}

export function parseSoql(soql: string): ParsedQuery {
  const parser = new Parser(tokenize(soql.trim()), soql);
  const query = parser.query();
  parser.done();
  return query;
}

export type Lookup = (id: string) => SObjectRecord | undefined;

/**
 * Follows a dotted path from a record through nested values, or where a part is not a key, through
 * its `<Rel>Id` lookup (null when that points nowhere); the last part is looked up that way only
 * when `lookupLast` (a relationship, not a field). `reached` is false when the walk stopped early:
 * at a null or non-object value before the path ended (then `value`), or at a last part that is no
 * key and not looked up.
 */
function walk(
  record: SObjectRecord,
  parts: string[],
  lookup: Lookup,
  lookupLast: boolean
): { value: unknown; reached: boolean } {
  let current: unknown = record;
  for (const [index, part] of parts.entries()) {
    if (current === null || current === undefined || typeof current !== 'object')
      return { value: current, reached: false };
    const obj = current as Record<string, unknown>;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    if (key !== undefined) {
      current = obj[key];
      continue;
    }
    if (index === parts.length - 1 && !lookupLast) return { value: undefined, reached: false };
    const idKey = Object.keys(obj).find((k) => k.toLowerCase() === `${part.toLowerCase()}id`);
    const id = idKey ? obj[idKey] : undefined;
    current = typeof id === 'string' ? (lookup(id) ?? null) : null;
  }
  return { value: current, reached: true };
}

export function resolveField(record: SObjectRecord, field: string, lookup: Lookup): unknown {
  const { value, reached } = walk(record, field.split('.'), lookup, false);
  return reached ? value : undefined;
}

/** The record a relationship path points to (Contact, Owner.Manager), through nested values or `<Rel>Id` lookups. */
function resolveRelationship(record: SObjectRecord, path: string[], lookup: Lookup): unknown {
  return walk(record, path, lookup, true).value;
}

/** A stored Salesforce date-time ('2026-11-25T18:39:43.000+0000') or a SOQL literal, as epoch ms. */
function instant(value: unknown): number | undefined {
  const text =
    typeof value === 'object' && value !== null && 'datetime' in value
      ? String((value as { datetime: string }).datetime)
      : value;
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

function compare(actual: unknown, op: string, expected: unknown): boolean {
  const eq = (a: unknown, b: unknown) => {
    const [x, y] = [instant(a), instant(b)];
    if (x !== undefined && y !== undefined && typeof b === 'object') return x === y;
    return typeof a === 'string' && typeof b === 'string'
      ? a.toLowerCase() === b.toLowerCase() || sameId(a, b)
      : (a ?? null) === b;
  };
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
      const [x, y] = [instant(actual), instant(expected)];
      const a = (x !== undefined && y !== undefined ? x : actual) as string | number;
      const b = (x !== undefined && y !== undefined ? y : expected) as string | number;
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

export interface QueryContext {
  lookup: Lookup;
  apiPath: string;
  /** the child records of one parent for a subquery's relationship (Case.EmailMessages) */
  children?: (
    parent: SObjectRecord,
    relationship: string,
    object: string
  ) => { object: string; records: SObjectRecord[] };
}

function order(rows: SObjectRecord[], query: ParsedQuery, lookup: Lookup): SObjectRecord[] {
  if (query.orderBy.length === 0) return rows;
  return [...rows].sort((x, y) => {
    for (const { field, descending } of query.orderBy) {
      const a = resolveField(x, field, lookup);
      const b = resolveField(y, field, lookup);
      const [ia, ib] = [instant(a), instant(b)];
      const [va, vb] =
        ia !== undefined && ib !== undefined ? [ia, ib] : [a as string | number, b as string | number];
      const result = va < vb ? -1 : va > vb ? 1 : 0;
      if (result !== 0) return descending ? -result : result;
    }
    return 0;
  });
}

/** Filters, orders and slices; returns the matching records unshaped (paging is the caller's). */
export function selectRows(query: ParsedQuery, records: SObjectRecord[], lookup: Lookup): SObjectRecord[] {
  let rows = records.filter((record) =>
    query.where.every((c) => compare(resolveField(record, c.field, lookup), c.op, c.value))
  );
  rows = order(rows, query, lookup);
  if (query.offset !== undefined) rows = rows.slice(query.offset);
  if (query.limit !== undefined) rows = rows.slice(0, query.limit);
  return rows;
}

export function runQuery(
  query: ParsedQuery,
  records: SObjectRecord[],
  lookup: Lookup,
  instanceUrl: string,
  apiPath: string,
  context: Partial<QueryContext> = {}
): { totalSize: number; done: boolean; records: Record<string, unknown>[] } {
  void instanceUrl;
  const full: QueryContext = { lookup, apiPath, ...context };
  const shaped = selectRows(query, records, lookup).map((record) => shape(record, query, full));
  return { totalSize: shaped.length, done: true, records: shaped };
}

export function shape(
  record: SObjectRecord,
  query: ParsedQuery,
  context: QueryContext,
  type = query.object
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type, url: `${context.apiPath}/sobjects/${type}/${record.Id}` }
  };
  for (const field of query.fields) {
    const parts = field.split('.');
    if (parts.length === 1) {
      out[field] = resolveField(record, field, context.lookup) ?? null;
      continue;
    }
    // Nest relationship values the way the REST API does: { Profile: { attributes, Name } }.
    // A lookup that points nowhere comes back as null, not as an empty object.
    const parentValue = resolveRelationship(record, parts.slice(0, -1), context.lookup);
    let target = out;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) {
        target[part] = resolveField(record, field, context.lookup) ?? null;
      } else {
        if (parentValue === undefined || parentValue === null) {
          target[part] ??= null;
          break;
        }
        target[part] ??= { attributes: { type: part } };
        target = target[part] as Record<string, unknown>;
      }
    }
  }
  for (const sub of query.subqueries) {
    const children = context.children?.(record, sub.relationship, sub.query.object);
    if (!children)
      throw new SoqlError(`MALFORMED_QUERY: the fake knows no child relationship ${sub.relationship}`);
    const rows = selectRows(sub.query, children.records, context.lookup);
    out[sub.relationship] =
      rows.length === 0
        ? null
        : {
            totalSize: rows.length,
            done: true,
            records: rows.map((r) => shape(r, sub.query, context, children.object))
          };
  }
  return out;
}

/** Every field a query reads, with the object it is read on: [object, path] (path may cross relationships). */
export function selectedFields(query: ParsedQuery): { object: string; field: string; child?: string }[] {
  const out: { object: string; field: string; child?: string }[] = query.fields.map((field) => ({
    object: query.object,
    field
  }));
  for (const sub of query.subqueries) {
    for (const field of sub.query.fields) out.push({ object: query.object, field, child: sub.relationship });
  }
  return out;
}
