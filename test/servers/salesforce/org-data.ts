import { parseSoql, runQuery, SoqlError, type SObjectRecord } from './soql.ts';
import type { FakeSalesforceServer, Reply } from './server.ts';

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
  Organization: '00D'
};

/** The org's records, per test. Standard data and Tooling API objects are kept apart, as in Salesforce. */
export class FakeOrgData {
  public readonly data = new Map<string, SObjectRecord[]>();
  public readonly tooling = new Map<string, SObjectRecord[]>();
  public readonly insertRules: InsertRule[] = [];
  /** objects the current user cannot see: queries and describes answer INVALID_TYPE / NOT_FOUND */
  public readonly hiddenObjects = new Set<string>();
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
      request: { query: Record<string, string> };
      params: Record<string, string>;
    }): Reply => {
      const soql = request.query.q ?? '';
      try {
        const parsed = parseSoql(soql);
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
        return { json: runQuery(parsed, records, (id) => org.findById(id), server.url, apiPath) };
      } catch (error) {
        if (error instanceof SoqlError)
          return { status: 400, json: [{ errorCode: 'MALFORMED_QUERY', message: error.message }] };
        throw error;
      }
    };
  server.route('GET', new RegExp(`^${API}/query/?$`), query(false), 'rest.query');
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
    ({ params }) =>
      org.hiddenObjects.has(params.type!)
        ? {
            status: 404,
            json: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]
          }
        : { json: { name: params.type, queryable: true, fields: [{ name: 'Id', type: 'id' }] } },
    'rest.describe'
  );
  server.route('GET', new RegExp(`^${API}/limits/?$`), () => ({ json: org.limits }), 'rest.limits');
}

function notFound(id: string): Reply {
  return {
    status: 404,
    json: [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist: ${id}` }]
  };
}
