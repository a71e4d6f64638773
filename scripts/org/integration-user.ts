import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core/sfError';
import {
  INTEGRATION_ACCESS_PERMISSION_SET,
  INTEGRATION_PERMISSION_SET,
  INTEGRATION_USER_ALIAS,
  qualify
} from '../contracts/api-names.ts';
import { loadMessages } from '../shared/messages.ts';
import { noProgress, type ProgressListener, type StepResult } from '../shared/step.ts';
import { permissionSetIds } from './access.ts';
import { adminEmail } from './admin-user.ts';
import { soqlString } from './soql.ts';

export const INTEGRATION_PROFILE_NAME = 'Minimum Access - API Only Integrations';
export const INTEGRATION_PSL = 'SalesforceAPIIntegrationPsl';
export { INTEGRATION_PERMISSION_SET };

const messages = loadMessages('integration-user');

/** What the integration user holds: the packaged event access and the org's generated access. */
export function integrationPermissionSets(namespace: string): string[] {
  return [qualify(INTEGRATION_PERMISSION_SET, namespace), INTEGRATION_ACCESS_PERMISSION_SET];
}

export interface IntegrationUserOptions {
  /** defaults to the user found by alias, else tethr.integration.<orgId>@<email domain> */
  username?: string;
  /** defaults to the running admin's e-mail, so password resets and notices reach a person */
  email?: string;
  /** 'tethr' when the package is installed, '' when the metadata was deployed unpackaged */
  namespace: string;
  /** permission sets to assign (default: the packaged Tethr_Integration_User and Tethr_Integration_Access) */
  permissionSets?: string[];
  orgId: string;
  onProgress?: ProgressListener;
}

export interface IntegrationUserResult {
  userId: string;
  username: string;
  steps: StepResult[];
}

interface UserRow {
  Id: string;
  Username: string;
  IsActive: boolean;
  ProfileId: string;
  Email?: string;
}

/**
 * Makes sure the API-only integration user exists with its licence and permission set, in the
 * only order Salesforce accepts: User, then PermissionSetLicenseAssign, then
 * PermissionSetAssignment. Existing pieces are reused. If a later step fails, what this run
 * created is undone (assignments deleted, a new user deactivated) so a re-run starts clean.
 */
export async function ensureIntegrationUser(
  conn: Connection,
  options: IntegrationUserOptions
): Promise<IntegrationUserResult> {
  const progress = options.onProgress ?? noProgress;
  const steps: StepResult[] = [];
  const undo: (() => Promise<unknown>)[] = [];
  const run = async <T>(step: string, body: () => Promise<{ result: StepResult; value: T }>): Promise<T> => {
    progress({ step, phase: 'start' });
    const { result, value } = await body();
    steps.push(result);
    progress({ step, phase: 'end', result });
    return value;
  };

  try {
    assertUserInputs(options);
    // Every lookup happens before the first write: a missing prerequisite leaves the org untouched.
    const profileId = await findIntegrationProfileId(conn);
    const pslId = await findSingleId(
      conn,
      `SELECT Id FROM PermissionSetLicense WHERE DeveloperName = ${soqlString(INTEGRATION_PSL)}`,
      () => messages.createError('error.IntegrationLicenceMissing', [INTEGRATION_PSL])
    );
    const wanted = options.permissionSets ?? integrationPermissionSets(options.namespace);
    const permissionSets = await permissionSetIds(conn, wanted);
    const absent = wanted.filter((name) => !permissionSets.has(name));
    if (absent.length > 0) {
      throw messages.createError(
        options.namespace && absent.includes(qualify(INTEGRATION_PERMISSION_SET, options.namespace))
          ? 'error.PackagedPermissionSetMissing'
          : absent.includes(INTEGRATION_ACCESS_PERMISSION_SET)
            ? 'error.AccessPermissionSetMissing'
            : 'error.IntegrationPermissionSetMissing',
        [absent.join(', ')]
      );
    }

    const user = await run('Integration user', async () => {
      const existing = await findUser(conn, options.username, profileId);
      if (existing) {
        if (existing.ProfileId !== profileId) {
          throw messages.createError('error.IntegrationUserWrongProfile', [
            existing.Username,
            INTEGRATION_PROFILE_NAME
          ]);
        }
        if (existing.IsActive === false) {
          await conn.sobject('User').update({ Id: existing.Id, IsActive: true });
          undo.push(() => conn.sobject('User').update({ Id: existing.Id, IsActive: false }));
          return {
            value: existing,
            result: {
              step: 'Integration user',
              status: 'updated',
              detail: `${existing.Username} reactivated`
            }
          };
        }
        return {
          value: existing,
          result: { step: 'Integration user', status: 'unchanged', detail: `${existing.Username} (reused)` }
        };
      }
      const created = await createUser(conn, profileId, options);
      // Users cannot be deleted in Salesforce; deactivating is the documented way to take one back.
      undo.push(() => conn.sobject('User').update({ Id: created.Id, IsActive: false }));
      return {
        value: created,
        result: { step: 'Integration user', status: 'created', detail: created.Username }
      };
    });

    await run('Permission set licence', () =>
      ensureAssignment(conn, undo, {
        step: 'Permission set licence',
        sobject: 'PermissionSetLicenseAssign',
        field: 'PermissionSetLicenseId',
        id: pslId,
        name: INTEGRATION_PSL,
        userId: user.Id
      })
    );
    for (const [name, id] of permissionSets) {
      await run(`Permission set ${name}`, () =>
        ensureAssignment(conn, undo, {
          step: `Permission set ${name}`,
          sobject: 'PermissionSetAssignment',
          field: 'PermissionSetId',
          id,
          name,
          userId: user.Id
        })
      );
    }

    return { userId: user.Id, username: user.Username, steps };
  } catch (error) {
    const rolledBack = await rollback(undo);
    const base = error instanceof SfError ? error : SfError.wrap(error as Error);
    const note =
      undo.length === 0 ? '' : ` ${messages.getMessage(rolledBack ? 'note.undone' : 'note.undoFailed')}`;
    // One error, not a wrapper around it: the cause keeps its own name and actions.
    base.message = `${sentence(base.message)}${note}`;
    throw base;
  }
}

interface Assignment {
  step: string;
  sobject: 'PermissionSetLicenseAssign' | 'PermissionSetAssignment';
  /** the lookup field that names what is assigned */
  field: 'PermissionSetLicenseId' | 'PermissionSetId';
  id: string;
  /** shown in the step detail */
  name: string;
  userId: string;
}

/** Assigns a licence or permission set unless the user already has it; registers the undo. */
async function ensureAssignment(
  conn: Connection,
  undo: (() => Promise<unknown>)[],
  assignment: Assignment
): Promise<{ result: StepResult; value: undefined }> {
  const assigned = await conn.query<{ Id: string }>(
    `SELECT Id FROM ${assignment.sobject} WHERE AssigneeId = ${soqlString(assignment.userId)} AND ${assignment.field} = ${soqlString(assignment.id)}`
  );
  if (assigned.records.length > 0) {
    return {
      value: undefined,
      result: { step: assignment.step, status: 'unchanged', detail: `${assignment.name} already assigned` }
    };
  }
  const id = await insert(conn, assignment.sobject, {
    AssigneeId: assignment.userId,
    [assignment.field]: assignment.id
  });
  undo.push(() => conn.sobject(assignment.sobject).destroy(id));
  return {
    value: undefined,
    result: { step: assignment.step, status: 'created', detail: `${assignment.name} assigned` }
  };
}

// Salesforce usernames have the form of an e-mail address; checking here refuses a bad flag
// before anything is created instead of after the user insert fails half-way through setup.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Refuses a --username or --email that Salesforce would reject, naming the flag. */
export function assertUserInputs(inputs: {
  username?: string | undefined;
  email?: string | undefined;
}): void {
  for (const [flag, value] of [
    ['username', inputs.username],
    ['email', inputs.email]
  ] as const) {
    if (value !== undefined && !EMAIL_SHAPE.test(value)) {
      throw messages.createError(flag === 'username' ? 'error.InvalidUsername' : 'error.InvalidEmail', [
        value
      ]);
    }
  }
}

async function findIntegrationProfileId(conn: Connection): Promise<string> {
  return findSingleId(
    conn,
    `SELECT Id FROM Profile WHERE Name = ${soqlString(INTEGRATION_PROFILE_NAME)}`,
    () => messages.createError('error.IntegrationProfileMissing', [INTEGRATION_PROFILE_NAME])
  );
}

/** Salesforce's own messages often lack a full stop; the note that follows needs one. */
function sentence(message: string): string {
  return /[.!?]$/.test(message.trim()) ? message.trim() : `${message.trim()}.`;
}

async function rollback(undo: (() => Promise<unknown>)[]): Promise<boolean> {
  let ok = true;
  for (const action of [...undo].reverse()) {
    try {
      await action();
    } catch {
      ok = false;
    }
  }
  return ok;
}

async function findSingleId(conn: Connection, soql: string, missing: () => SfError): Promise<string> {
  const result = await conn.query<{ Id: string }>(soql);
  const first = result.records[0];
  if (!first) throw missing();
  return first.Id;
}

/**
 * The integration user for later steps: the one named by --username, or else the one this tool
 * created (found by its alias and profile). A named user is checked to be an active API-only user,
 * so a typo fails here with its fix instead of later as a failed deploy or login.
 */
export async function findIntegrationUsername(conn: Connection, username?: string): Promise<string> {
  const profileId = await findIntegrationProfileId(conn);
  const user = await findUser(conn, username, profileId);
  if (!user) {
    throw username
      ? messages.createError('error.NamedUserMissing', [username], [username])
      : messages.createError('error.IntegrationUserMissing');
  }
  if (user.ProfileId !== profileId) {
    throw messages.createError('error.IntegrationUserWrongProfile', [
      user.Username,
      INTEGRATION_PROFILE_NAME
    ]);
  }
  if (user.IsActive === false) {
    throw messages.createError('error.IntegrationUserInactive', [user.Username], [user.Username]);
  }
  return user.Username;
}

async function findUser(
  conn: Connection,
  username: string | undefined,
  profileId: string
): Promise<UserRow | undefined> {
  const fields = 'SELECT Id, Username, IsActive, ProfileId, Email FROM User';
  const soql = username
    ? `${fields} WHERE Username = ${soqlString(username)}`
    : `${fields} WHERE Alias = ${soqlString(INTEGRATION_USER_ALIAS)} AND ProfileId = ${soqlString(profileId)} ORDER BY CreatedDate DESC LIMIT 1`;
  const result = await conn.query<UserRow>(soql);
  return result.records[0];
}

async function createUser(
  conn: Connection,
  profileId: string,
  options: IntegrationUserOptions
): Promise<UserRow> {
  const email = options.email ?? (await adminEmail(conn));
  const username = options.username ?? defaultUsername(options.orgId, email);
  const record = {
    Username: username,
    LastName: 'Tethr Integration',
    FirstName: 'API',
    Email: email,
    Alias: INTEGRATION_USER_ALIAS,
    ProfileId: profileId,
    TimeZoneSidKey: 'GMT',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US'
  };
  const id = await insert(conn, 'User', record);
  return { Id: id, Username: username, IsActive: true, ProfileId: profileId, Email: email };
}

/** Usernames are unique across all Salesforce orgs; the org id makes this one unique. */
export function defaultUsername(orgId: string, email: string): string {
  const domain = email.split('@')[1] ?? 'example.com';
  return `tethr.integration.${orgId.slice(0, 15).toLowerCase()}@${domain}`;
}

async function insert(conn: Connection, type: string, record: Record<string, unknown>): Promise<string> {
  const result = await conn.sobject(type).create(record);
  if (!result.success) {
    const errors = (result as { errors?: { message?: string; statusCode?: string }[] }).errors ?? [];
    throw messages.createError('error.InsertFailed', [
      type,
      errors.map((e) => `${e.statusCode ?? ''} ${e.message ?? ''}`.trim()).join('; ')
    ]);
  }
  return result.id;
}
