import { checkQuery, type Grants } from './access.ts';
import { catalogueObject, CATALOGUE, type Feature } from './catalogue.ts';
import { parseSoql, selectRows, shape, SoqlError, type ParsedQuery, type SObjectRecord } from './soql.ts';
import type { FakeSalesforceServer, Reply } from './server.ts';

/**
 * Which features the org has (and so which standard objects exist), and who may read what.
 * Without a shape the fake answers every query (the older, shape-free tests).
 */
export interface OrgShape {
  name: string;
  features: Set<Feature>;
  /** objects that exist beyond the catalogue's (custom objects, the event, setup objects) */
  extraObjects: Set<string>;
  /** the grants of whoever holds this bearer token; undefined means unrestricted (an admin) */
  grantsFor(authorization: string | undefined): Grants | undefined;
}

export interface RestErrorBody {
  errorCode: string;
  message: string;
  fields?: string[];
}

/** Returns an error to refuse an insert (the way a validation or licence check in the org would). */
export type InsertRule = (
  type: string,
  record: SObjectRecord,
  data: FakeOrgData
) => RestErrorBody | undefined;

// Key prefixes of the objects the tooling touches, so ids look like the real ones.
const KEY_PREFIXES: Record<string, string> = {
  User: '005',
  Profile: '00e',
  PermissionSet: '0PS',
  PermissionSetAssignment: '0Pa',
  PermissionSetLicense: '0PL',
  PermissionSetLicenseAssign: '2LA',
  Case: '500',
  MessagingSession: '0Mw',
  LiveChatTranscript: '570',
  ExternalClientApplication: '0xI',
  FlowDefinitionView: '300',
  Organization: '00D',
  Contact: '003',
  EmailMessage: '02s',
  CaseComment: '00a',
  ObjectPermissions: '110',
  FieldPermissions: '01k',
  Conversation: '0dw',
  MessagingEndUser: '0PA'
};

/** The org's records, per test. Standard data and Tooling API objects are kept apart, as in Salesforce. */
export class FakeOrgData {
  public readonly data = new Map<string, SObjectRecord[]>();
  public readonly tooling = new Map<string, SObjectRecord[]>();
  public readonly insertRules: InsertRule[] = [];
  /** objects the current user cannot see: queries and describes answer INVALID_TYPE / NOT_FOUND */
  public readonly hiddenObjects = new Set<string>();
  /** the org's shape (features, per-user access); see org-shapes.ts */
  public shape: OrgShape | undefined;
  /** rows per query page before nextRecordsUrl (Salesforce: 2000 by default) */
  public pageSize = 2000;
  public readonly cursors = new Map<string, Record<string, unknown>[]>();
  public limits: Record<string, { Max: number; Remaining: number }> = {
    DailyApiRequests: { Max: 100000, Remaining: 99000 },
    DailyDeliveredPlatformEvents: { Max: 50000, Remaining: 50000 },
    HourlyPublishedPlatformEvents: { Max: 250000, Remaining: 250000 }
  };
  private counter = 100;

  public newId(type: string): string {
    this.counter += 1;
    const prefix = KEY_PREFIXES[type] ?? 'a00';
    return `${prefix}${String(this.counter).padStart(12, '0')}AAA`;
  }

  public add(
    type: string,
    fields: Record<string, unknown>,
    options: { tooling?: boolean } = {}
  ): SObjectRecord {
    const store = options.tooling ? this.tooling : this.data;
    const record = {
      ...fields,
      Id: typeof fields.Id === 'string' ? fields.Id : this.newId(type)
    } as SObjectRecord;
    const list = store.get(type) ?? [];
    list.push(record);
    store.set(type, list);
    return record;
  }

  public all(type: string, options: { tooling?: boolean } = {}): SObjectRecord[] {
    return (options.tooling ? this.tooling : this.data).get(type) ?? [];
  }

  public findById(id: string): SObjectRecord | undefined {
    for (const store of [this.data, this.tooling]) {
      for (const list of store.values()) {
        const found = list.find((r) => r.Id === id || r.Id.slice(0, 15) === id.slice(0, 15));
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Whether the object exists in this org: always without a shape; by feature with one. */
  public objectExists(name: string): boolean {
    if (!this.shape) return true;
    const known = catalogueObject(name);
    if (known) return known.feature === 'core' || this.shape.features.has(known.feature);
    return true;
  }

  /** The sObjects describeGlobal lists: the catalogue's for the org's features, plus the others. */
  public objectNames(): string[] {
    const names = new Set<string>(CATALOGUE.filter((o) => this.objectExists(o.name)).map((o) => o.name));
    for (const name of this.shape?.extraObjects ?? []) names.add(name);
    for (const name of this.data.keys()) if (this.objectExists(name)) names.add(name);
    return [...names].sort();
  }

  public typeOf(id: string): string | undefined {
    for (const [type, list] of this.data) if (list.some((r) => r.Id === id)) return type;
    return undefined;
  }

  public remove(id: string): boolean {
    for (const list of this.data.values()) {
      const index = list.findIndex((r) => r.Id === id);
      if (index >= 0) {
        list.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  public insert(
    type: string,
    fields: Record<string, unknown>
  ): { record?: SObjectRecord; error?: RestErrorBody } {
    const candidate = { ...fields, Id: 'pending' } as SObjectRecord;
    for (const rule of this.insertRules) {
      const error = rule(type, candidate, this);
      if (error) return { error };
    }
    // Defaults Salesforce fills in on insert.
    const defaults: Record<string, unknown> = type === 'User' ? { IsActive: true } : {};
    return { record: this.add(type, { ...defaults, ...fields }) };
  }
}

const API = String.raw`/services/data/v(?<version>\d+\.\d)`;

/** Registers REST data, Tooling query, sObject CRUD, sObject Collections and /limits on `server`. */
export function registerRestData(server: FakeSalesforceServer, org: FakeOrgData): void {
  server.route(
    'GET',
    '/services/data',
    () => ({ json: [{ label: "Winter '27", url: '/services/data/v66.0', version: '66.0' }] }),
    'rest.versions'
  );

  const query =
    (tooling: boolean) =>
    ({
      request,
      params
    }: {
      request: { query: Record<string, string>; headers: Record<string, string> };
      params: Record<string, string>;
    }): Reply => {
      const soql = request.query.q ?? '';
      try {
        const parsed = parseSoql(soql);
        if (!tooling && org.shape) {
          const problem = checkQuery(parsed, {
            exists: (object) => org.objectExists(object),
            grants: org.shape.grantsFor(request.headers.authorization)
          });
          if (problem) return { status: 400, json: [problem] };
        }
        if (org.hiddenObjects.has(parsed.object)) {
          return {
            status: 400,
            json: [
              {
                errorCode: 'INVALID_TYPE',
                message: `\nSELECT Id FROM ${parsed.object}\n               ^\nERROR at Row:1:Column:16\nsObject type '${parsed.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
              }
            ]
          };
        }
        const records = org.all(parsed.object, { tooling });
        const apiPath = `/services/data/v${params.version}${tooling ? '/tooling' : ''}`;
        return { json: answerQuery(org, parsed, records, apiPath) };
      } catch (error) {
        if (error instanceof SoqlError)
          return { status: 400, json: [{ errorCode: 'MALFORMED_QUERY', message: error.message }] };
        throw error;
      }
    };
  server.route('GET', new RegExp(`^${API}/query/?$`), query(false), 'rest.query');
  server.route(
    'GET',
    new RegExp(`^${API}/query/(?<cursor>[\\w-]+)$`),
    ({ params }) => {
      const rows = org.cursors.get(params.cursor!);
      if (!rows)
        return {
          status: 400,
          json: [{ errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' }]
        };
      return { json: page(org, rows, `/services/data/v${params.version}`) };
    },
    'rest.query.more'
  );
  server.route('GET', new RegExp(`^${API}/tooling/query/?$`), query(true), 'tooling.query');

  server.route(
    'POST',
    new RegExp(`^${API}/sobjects/(?<type>\\w+)/?$`),
    ({ request, params }) => {
      const fields = JSON.parse(request.body || '{}') as Record<string, unknown>;
      const { record, error } = org.insert(params.type!, fields);
      if (error) return { status: 400, json: [error] };
      return { status: 201, json: { id: record!.Id, success: true, errors: [] } };
    },
    'rest.create'
  );
  server.route(
    'GET',
    new RegExp(`^${API}/sobjects/(?<type>\\w+)/(?<id>\\w+)/?$`),
    ({ params }) => {
      const record = org.findById(params.id!);
      if (!record) return notFound(params.id!);
      return { json: { attributes: { type: params.type }, ...record } };
    },
    'rest.retrieve'
  );
  server.route(
    'PATCH',
    new RegExp(`^${API}/sobjects/(?<type>\\w+)/(?<id>\\w+)/?$`),
    ({ request, params }) => {
      const record = org.findById(params.id!);
      if (!record) return notFound(params.id!);
      Object.assign(record, JSON.parse(request.body || '{}') as Record<string, unknown>, { Id: record.Id });
      return { status: 204 };
    },
    'rest.update'
  );
  server.route(
    'DELETE',
    new RegExp(`^${API}/sobjects/(?<type>\\w+)/(?<id>\\w+)/?$`),
    ({ params }) => (org.remove(params.id!) ? { status: 204 } : notFound(params.id!)),
    'rest.delete'
  );

  server.route(
    'POST',
    new RegExp(`^${API}/composite/sobjects/?$`),
    ({ request }) => {
      const body = JSON.parse(request.body || '{}') as {
        allOrNone?: boolean;
        records?: Record<string, unknown>[];
      };
      const results = (body.records ?? []).map((input) => {
        const { attributes, ...fields } = input as { attributes?: { type?: string } } & Record<
          string,
          unknown
        >;
        const { record, error } = org.insert(attributes?.type ?? '', fields);
        return error
          ? {
              success: false,
              errors: [{ statusCode: error.errorCode, message: error.message, fields: error.fields ?? [] }]
            }
          : { id: record!.Id, success: true, errors: [] };
      });
      return { json: results };
    },
    'rest.composite.sobjects'
  );

  server.route(
    'GET',
    new RegExp(`^${API}/sobjects/(?<type>\\w+)/describe/?$`),
    ({ params, request }) => describe(org, params.type!, request.headers.authorization),
    'rest.describe'
  );
  server.route(
    'GET',
    new RegExp(`^${API}/sobjects/?$`),
    ({ request }) => {
      const grants = org.shape?.grantsFor(request.headers.authorization);
      const names = org.objectNames().filter((name) => !org.hiddenObjects.has(name));
      const visible = grants
        ? names.filter((n) => !catalogueObject(n)?.permissionable || grants.objects.has(n.toLowerCase()))
        : names;
      return {
        json: {
          encoding: 'UTF-8',
          maxBatchSize: 200,
          sobjects: visible.map((name) => ({
            name,
            label: name,
            queryable: true,
            custom: /__[a-z]+$/.test(name)
          }))
        }
      };
    },
    'rest.describeGlobal'
  );
  server.route('GET', new RegExp(`^${API}/limits/?$`), () => ({ json: org.limits }), 'rest.limits');
}

/** A query answer, paged like Salesforce: the rest behind nextRecordsUrl. */
function answerQuery(org: FakeOrgData, query: ParsedQuery, records: SObjectRecord[], apiPath: string) {
  const lookup = (id: string) => org.findById(id);
  const rows = selectRows(query, records, lookup).map((record) =>
    shape(record, query, {
      lookup,
      apiPath,
      children: (parent, relationship) => {
        const child = catalogueObject(query.object)?.children?.[relationship];
        if (!child)
          throw new SoqlError(`MALFORMED_QUERY: no child relationship ${relationship} on ${query.object}`);
        return {
          object: child.object,
          records: org
            .all(child.object)
            .filter((r) => String(r[child.field]).slice(0, 15) === parent.Id.slice(0, 15))
        };
      }
    })
  );
  return page(org, rows, apiPath.replace(/\/tooling$/, ''));
}

function page(org: FakeOrgData, rows: Record<string, unknown>[], apiPath: string) {
  const total = rows.length;
  const first = rows.slice(0, org.pageSize);
  const rest = rows.slice(org.pageSize);
  if (rest.length === 0) return { totalSize: total, done: true, records: first };
  const cursor = `01g${String(org.cursors.size + 1).padStart(15, '0')}-${org.pageSize}`;
  org.cursors.set(cursor, rest);
  return { totalSize: total, done: false, nextRecordsUrl: `${apiPath}/query/${cursor}`, records: first };
}

/** sObject describe: the catalogue's fields (with `permissionable`) for objects the org and user have. */
function describe(org: FakeOrgData, type: string, authorization: string | undefined): Reply {
  const missing = {
    status: 404,
    json: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]
  };
  if (org.hiddenObjects.has(type) || !org.objectExists(type)) return missing;
  const known = catalogueObject(type);
  if (org.shape && type === 'ObjectPermissions') {
    // Its SobjectType picklist lists the objects that take object permissions in this org.
    const values = CATALOGUE.filter((o) => o.permissionable && org.objectExists(o.name)).map((o) => ({
      value: o.name,
      active: true
    }));
    return {
      json: {
        name: type,
        queryable: true,
        fields: [
          { name: 'Id', type: 'id' },
          { name: 'SobjectType', type: 'picklist', picklistValues: values }
        ]
      }
    };
  }
  if (!org.shape || !known) {
    if (org.shape && !org.shape.extraObjects.has(type) && !org.data.has(type)) return missing;
    return {
      json: { name: type, queryable: true, fields: [{ name: 'Id', type: 'id', permissionable: false }] }
    };
  }
  const grants = org.shape.grantsFor(authorization);
  if (grants && known.permissionable && !grants.objects.has(known.name.toLowerCase())) return missing;
  return {
    json: {
      name: known.name,
      label: known.name,
      queryable: true,
      createable: known.createable ?? false,
      fields: known.fields
        .filter(
          (f) => !grants || !f.permissionable || grants.fields.has(`${known.name}.${f.name}`.toLowerCase())
        )
        .map((f) => ({
          name: f.name,
          type: f.type,
          permissionable: f.permissionable,
          relationshipName: f.relationshipName ?? null,
          referenceTo: f.referenceTo ?? []
        })),
      childRelationships: Object.entries(known.children ?? {}).map(([relationshipName, c]) => ({
        relationshipName,
        childSObject: c.object,
        field: c.field
      }))
    }
  };
}

function notFound(id: string): Reply {
  return {
    status: 404,
    json: [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist: ${id}` }]
  };
}
