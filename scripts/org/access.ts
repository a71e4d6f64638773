import type { Connection } from '@salesforce/core';
import {
  ADMIN_ACCESS_PERMISSION_SET,
  ADMIN_PERMISSION_SET,
  INTEGRATION_ACCESS_PERMISSION_SET,
  qualify
} from '../contracts/api-names.ts';
import { loadMessages } from '../shared/messages.ts';
import { noProgress, type ProgressListener, type StepResult } from '../shared/step.ts';
import {
  grantsMatch,
  permissionSetTarget,
  permissionSetXml,
  planAccess,
  readCurrentAccess,
  type AccessPermissionSet,
  type AccessPlan
} from './access-permission-sets.ts';
import { deployMetadata } from './deploy.ts';
import { detectOrgShape, type OrgShape } from './org-shape.ts';
import { soqlString } from './soql.ts';

// Generates the two unpackaged access permission sets for this org, deploys them when they
// differ from what the org has, and assigns the admin one to the admin running the tool. The
// integration user gets its set from the integration-user step (which needs the user's licence
// assigned first).

const messages = loadMessages('access');

export interface AccessOptions {
  shape?: OrgShape;
  /** the admin to assign Tethr_Admin_Access (and the packaged Tethr_Admin) to; none when undefined */
  adminUsername?: string;
  onProgress?: ProgressListener;
}

export interface AccessResult {
  shape: OrgShape;
  plan: AccessPlan;
  steps: StepResult[];
}

export const ACCESS_STEP = 'Access permission sets';

export async function ensureAccess(conn: Connection, options: AccessOptions = {}): Promise<AccessResult> {
  const progress = options.onProgress ?? noProgress;
  const steps: StepResult[] = [];
  progress({ step: ACCESS_STEP, phase: 'start', message: 'describing the org' });
  const shape = options.shape ?? (await detectOrgShape(conn));
  const plan = await planAccess(conn, shape);
  if (plan.integration.objects.length === 0) throw messages.createError('error.NoChannelObjects');

  const sets = [plan.integration, plan.admin];
  const current = await Promise.all(
    sets.map((set) => readCurrentAccess(conn, set.name, set.userPermissions))
  );
  const stale = sets.filter((_, i) => !grantsMatch(sets[i]!, current[i]!));
  const summary = describePlan(plan);
  if (stale.length === 0) {
    steps.push(end(progress, { step: ACCESS_STEP, status: 'unchanged', detail: summary }));
  } else {
    await deployMetadata(conn, {
      sourcePaths: [],
      templates: [],
      generated: stale.map((set) => ({ target: permissionSetTarget(set), content: permissionSetXml(set) })),
      step: ACCESS_STEP,
      onProgress: progress
    });
    const created = stale.some((set) => !current[sets.indexOf(set)]!.exists);
    steps.push(
      end(progress, { step: ACCESS_STEP, status: created ? 'created' : 'updated', detail: summary })
    );
  }
  for (const missing of plan.missingFields) {
    steps.push({
      step: ACCESS_STEP,
      status: 'warning',
      detail: messages.getMessage('warning.fieldMissing', [missing.field, missing.channel])
    });
  }
  if (options.adminUsername) {
    steps.push(
      await assignToUser(
        conn,
        options.adminUsername,
        [ADMIN_ACCESS_PERMISSION_SET, qualify(ADMIN_PERMISSION_SET, shape.namespace)],
        'Admin access',
        progress
      )
    );
  }
  return { shape, plan, steps };
}

function end(progress: ProgressListener, result: StepResult): StepResult {
  progress({ step: result.step, phase: 'end', result });
  return result;
}

/** "Case, EmailMessage, CaseComment, Contact (23 fields); skipped: MessagingSession (not in this org)" */
export function describePlan(plan: AccessPlan): string {
  const granted = plan.integration.objects.map((o) => o.object).join(', ');
  const absent = plan.channels.filter((c) => !c.present).map((c) => c.channel);
  const skipped = absent.length > 0 ? messages.getMessage('detail.skipped', [absent.join(', ')]) : '';
  return messages.getMessage('detail.granted', [
    INTEGRATION_ACCESS_PERMISSION_SET,
    granted,
    plan.integration.fields.length,
    skipped
  ]);
}

/** Permission sets by API name (namespace-qualified for packaged ones) -> Id. */
export async function permissionSetIds(conn: Connection, names: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const name of names) {
    const [ns, plain] = name.includes('__') ? (name.split('__') as [string, string]) : ['', name];
    const result = await conn.query<{ Id: string }>(
      `SELECT Id FROM PermissionSet WHERE Name = ${soqlString(plain)} AND NamespacePrefix = ${ns ? soqlString(ns) : 'null'}`
    );
    const id = result.records[0]?.Id;
    if (id) ids.set(name, id);
  }
  return ids;
}

/** Assigns permission sets to a user unless it has them; returns one step for all of them. */
export async function assignToUser(
  conn: Connection,
  username: string,
  names: string[],
  step: string,
  progress: ProgressListener = noProgress
): Promise<StepResult> {
  progress({ step, phase: 'start' });
  const user = (
    await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Username = ${soqlString(username)}`)
  ).records[0];
  if (!user) throw messages.createError('error.UserMissing', [username]);
  const ids = await permissionSetIds(conn, names);
  const missing = names.filter((n) => !ids.has(n));
  if (missing.length > 0) throw messages.createError('error.PermissionSetMissing', [missing.join(', ')]);
  const assigned: string[] = [];
  for (const [name, id] of ids) {
    const existing = await conn.query<{ Id: string }>(
      `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(user.Id)} AND PermissionSetId = ${soqlString(id)}`
    );
    if (existing.records.length > 0) continue;
    const result = await conn
      .sobject('PermissionSetAssignment')
      .create({ AssigneeId: user.Id, PermissionSetId: id });
    if (!result.success) throw messages.createError('error.AssignFailed', [name, username]);
    assigned.push(name);
  }
  return end(progress, {
    step,
    status: assigned.length > 0 ? 'created' : 'unchanged',
    detail:
      assigned.length > 0
        ? messages.getMessage('detail.assigned', [assigned.join(', '), username])
        : messages.getMessage('detail.alreadyAssigned', [names.join(', '), username])
  });
}

export type { AccessPermissionSet };
