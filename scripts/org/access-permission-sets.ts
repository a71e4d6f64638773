import type { Connection } from '@salesforce/core';
import { ADMIN_ACCESS_PERMISSION_SET, INTEGRATION_ACCESS_PERMISSION_SET } from '../contracts/api-names.ts';
import {
  ALWAYS_READABLE_OBJECTS,
  CHANNEL_REGISTRY,
  fieldReads,
  objectsRead,
  type Channel
} from '../contracts/channels.ts';
import type { ChannelPresence, OrgShape } from './org-shape.ts';
import { soqlString } from './soql.ts';

// The access a managed package cannot carry, generated for the org in front of us: a packaged
// permission set installs custom object and field permissions only ("Do they include standard
// object permissions? No.", pkg2_dev distribution_perm_sets_profile_settings.htm), so the
// integration user's Read on Case, EmailMessage, MessagingSession ... and its API Enabled come
// from an unpackaged permission set that grants exactly what the relay's fetchers select
// (scripts/contracts/channels.ts), for exactly the objects this org has. Nothing is granted for
// an object the org lacks: a permission set naming one fails to deploy ("In field: object - no
// CustomObject named X found").

export interface ObjectGrant {
  object: string;
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
}

export interface FieldGrant {
  /** Object.Field */
  field: string;
  editable: boolean;
}

export interface AccessPermissionSet {
  name: string;
  label: string;
  description: string;
  objects: ObjectGrant[];
  fields: FieldGrant[];
  userPermissions: string[];
}

/** A field the relay reads that this org does not have: its channel's reads will fail. */
export interface MissingField {
  channel: Channel;
  field: string;
}

export interface AccessPlan {
  channels: ChannelPresence[];
  integration: AccessPermissionSet;
  admin: AccessPermissionSet;
  missingFields: MissingField[];
  /** objects read without an object permission (not permissionable, e.g. User): readable anyway */
  implicitObjects: string[];
}

interface FieldDescribe {
  name: string;
  permissionable?: boolean;
  picklistValues?: { value: string; active?: boolean }[];
}

interface ObjectDescribe {
  name: string;
  fields: FieldDescribe[];
}

/** The user permissions the integration user's reads need (REST and Pub/Sub: API Enabled). */
export const INTEGRATION_USER_PERMISSIONS = ['ApiEnabled'];
/** The setup page reads permission set assignments (View Setup) and subscribes with empApi (API Enabled). */
export const ADMIN_USER_PERMISSIONS = ['ApiEnabled', 'ViewSetup'];

const READ: Omit<ObjectGrant, 'object'> = { read: true, create: false, edit: false, delete: false };

/**
 * The object's describe, or undefined when Salesforce says it does not exist (NOT_FOUND). Any other
 * failure (a timeout, the API limit, a 5xx that outlived jsforce's retries) is thrown: a plan built
 * without an object the org has would deploy a permission set that takes working access away.
 */
async function describeObject(conn: Connection, object: string): Promise<ObjectDescribe | undefined> {
  try {
    return await conn.request<ObjectDescribe>(
      `/services/data/v${conn.getApiVersion()}/sobjects/${object}/describe`
    );
  } catch (error) {
    const e = error as { errorCode?: string; name?: string };
    if (e.errorCode === 'NOT_FOUND' || e.name === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * The objects that take object permissions: the values of ObjectPermissions.SobjectType. Read from
 * the org because the list differs by edition and feature; undefined when the org does not say.
 */
async function permissionableObjects(conn: Connection): Promise<Set<string> | undefined> {
  const describe = await describeObject(conn, 'ObjectPermissions');
  const values = describe?.fields.find((f) => f.name === 'SobjectType')?.picklistValues;
  return values && values.length > 0 ? new Set(values.map((v) => v.value)) : undefined;
}

/** Describes the org and works out both access permission sets. */
export async function planAccess(
  conn: Connection,
  shape: Pick<OrgShape, 'channels' | 'objects'>
): Promise<AccessPlan> {
  const present = shape.channels.filter((c) => c.present).map((c) => c.channel);
  const permissionable = await permissionableObjects(conn);
  const describes = new Map<string, ObjectDescribe | undefined>();
  const describeOnce = async (object: string) => {
    if (!describes.has(object))
      describes.set(object, shape.objects.has(object) ? await describeObject(conn, object) : undefined);
    return describes.get(object);
  };

  const objects = new Map<string, ObjectGrant>();
  const fields = new Map<string, FieldGrant>();
  const missingFields: MissingField[] = [];
  const implicitObjects = new Set<string>();
  for (const channel of present) {
    for (const object of objectsRead(channel)) {
      if (ALWAYS_READABLE_OBJECTS.has(object)) {
        implicitObjects.add(object);
        continue;
      }
      const describe = await describeOnce(object);
      if (!describe) {
        for (const read of fieldReads(channel).filter((r) => r.object === object)) {
          missingFields.push({ channel, field: `${object}.${read.field}` });
        }
        continue;
      }
      if (!permissionable || permissionable.has(object)) objects.set(object, { object, ...READ });
      else implicitObjects.add(object);
      for (const read of fieldReads(channel).filter((r) => r.object === object)) {
        const found = describe.fields.find((f) => f.name === read.field);
        if (!found) missingFields.push({ channel, field: `${object}.${read.field}` });
        else if (found.permissionable)
          fields.set(`${object}.${found.name}`, { field: `${object}.${found.name}`, editable: false });
      }
    }
  }

  const integration: AccessPermissionSet = {
    name: INTEGRATION_ACCESS_PERMISSION_SET,
    label: 'Tethr Integration Access',
    description: `Generated by tethr-sf for this org: read-only access to exactly what the Tethr relay reads for ${present
      .map((c) => CHANNEL_REGISTRY[c].label.toLowerCase())
      .join(
        ', '
      )}, plus API Enabled. Regenerate with tethr-sf access after enabling a channel; do not edit by hand.`,
    objects: sortBy([...objects.values()], (g) => g.object),
    fields: sortBy([...fields.values()], (g) => g.field),
    userPermissions: [...INTEGRATION_USER_PERMISSIONS]
  };
  return {
    channels: shape.channels,
    integration,
    admin: await planAdminAccess(permissionable, shape, present, describeOnce),
    missingFields,
    implicitObjects: [...implicitObjects].sort()
  };
}

/**
 * The Tethr admin's standard-object access: the setup page's test notification creates, closes
 * and deletes a Case (with Subject and Description), and its channel section reads the channel
 * objects this org has.
 */
async function planAdminAccess(
  permissionable: Set<string> | undefined,
  shape: Pick<OrgShape, 'objects'>,
  present: Channel[],
  describeOnce: (object: string) => Promise<ObjectDescribe | undefined>
): Promise<AccessPermissionSet> {
  const objects: ObjectGrant[] = [];
  const fields: FieldGrant[] = [];
  if (shape.objects.has('Case')) {
    objects.push({ object: 'Case', read: true, create: true, edit: true, delete: true });
    const describe = await describeOnce('Case');
    for (const name of ['Subject', 'Description']) {
      if (describe?.fields.find((f) => f.name === name)?.permissionable)
        fields.push({ field: `Case.${name}`, editable: true });
    }
  }
  for (const channel of present) {
    const object = CHANNEL_REGISTRY[channel].object;
    if (object !== 'Case' && (!permissionable || permissionable.has(object)))
      objects.push({ object, ...READ });
  }
  return {
    name: ADMIN_ACCESS_PERMISSION_SET,
    label: 'Tethr Admin Access',
    description:
      'Generated by tethr-sf for this org: what the Tethr Setup page needs beyond the packaged Tethr Admin permission set (the test notification Case, the channel objects this org has, View Setup, API Enabled). Do not edit by hand.',
    objects: sortBy(objects, (g) => g.object),
    fields: sortBy(fields, (g) => g.field),
    userPermissions: [...ADMIN_USER_PERMISSIONS]
  };
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b)));
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The permission set as Metadata API XML, elements in the order a retrieve returns them. */
export function permissionSetXml(set: AccessPermissionSet): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">'
  ];
  lines.push(`    <description>${escapeXml(set.description)}</description>`);
  for (const f of set.fields) {
    lines.push(
      '    <fieldPermissions>',
      `        <editable>${f.editable}</editable>`,
      `        <field>${f.field}</field>`,
      '        <readable>true</readable>',
      '    </fieldPermissions>'
    );
  }
  lines.push(
    '    <hasActivationRequired>false</hasActivationRequired>',
    `    <label>${escapeXml(set.label)}</label>`
  );
  for (const o of set.objects) {
    lines.push(
      '    <objectPermissions>',
      `        <allowCreate>${o.create}</allowCreate>`,
      `        <allowDelete>${o.delete}</allowDelete>`,
      `        <allowEdit>${o.edit}</allowEdit>`,
      `        <allowRead>${o.read}</allowRead>`,
      '        <modifyAllRecords>false</modifyAllRecords>',
      `        <object>${o.object}</object>`,
      '        <viewAllRecords>false</viewAllRecords>',
      '    </objectPermissions>'
    );
  }
  for (const p of set.userPermissions) {
    lines.push(
      '    <userPermissions>',
      '        <enabled>true</enabled>',
      `        <name>${p}</name>`,
      '    </userPermissions>'
    );
  }
  lines.push('</PermissionSet>', '');
  return lines.join('\n');
}

/** Where a generated permission set goes in a deploy (source format folder/file). */
export function permissionSetTarget(set: AccessPermissionSet): string {
  return `permissionsets/${set.name}.permissionset-meta.xml`;
}

/** What a permission set in the org grants today, as object and field permission rows. */
export interface CurrentAccess {
  id?: string;
  exists: boolean;
  /** one entry per object permission: Object:RCED (the letters that are granted) */
  objects: Set<string>;
  /** one entry per field permission: Object.Field:R or :RE */
  fields: Set<string>;
  userPermissions: Set<string>;
}

function objectKey(object: string, read: boolean, create: boolean, edit: boolean, del: boolean): string {
  return `${object}:${read ? 'R' : ''}${create ? 'C' : ''}${edit ? 'E' : ''}${del ? 'D' : ''}`;
}

/** Reads an unpackaged permission set's object, field and user permissions from the org. */
export async function readCurrentAccess(
  conn: Connection,
  name: string,
  userPermissions: string[]
): Promise<CurrentAccess> {
  const permissionFields = userPermissions.map((p) => `Permissions${p}`);
  const set = await conn.query<Record<string, unknown> & { Id: string }>(
    `SELECT Id${permissionFields.map((f) => `, ${f}`).join('')} FROM PermissionSet WHERE Name = ${soqlString(name)} AND NamespacePrefix = null`
  );
  const record = set.records[0];
  if (!record) return { exists: false, objects: new Set(), fields: new Set(), userPermissions: new Set() };
  const objects = await conn.query<{
    SobjectType: string;
    PermissionsRead: boolean;
    PermissionsCreate: boolean;
    PermissionsEdit: boolean;
    PermissionsDelete: boolean;
  }>(
    `SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete FROM ObjectPermissions WHERE ParentId = ${soqlString(record.Id)}`
  );
  const fields = await conn.query<{ Field: string; PermissionsRead: boolean; PermissionsEdit: boolean }>(
    `SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${soqlString(record.Id)}`
  );
  return {
    id: record.Id,
    exists: true,
    objects: new Set(
      objects.records.map((r) =>
        objectKey(
          r.SobjectType,
          r.PermissionsRead,
          r.PermissionsCreate,
          r.PermissionsEdit,
          r.PermissionsDelete
        )
      )
    ),
    fields: new Set(
      fields.records
        .filter((r) => r.PermissionsRead)
        .map((r) => `${r.Field}:${r.PermissionsEdit ? 'RE' : 'R'}`)
    ),
    userPermissions: new Set(userPermissions.filter((p) => record[`Permissions${p}`] === true))
  };
}

/** Whether the org's permission set already grants exactly what the plan asks. */
export function grantsMatch(set: AccessPermissionSet, current: CurrentAccess): boolean {
  if (!current.exists) return false;
  const wantObjects = new Set(
    set.objects.map((o) => objectKey(o.object, o.read, o.create, o.edit, o.delete))
  );
  const wantFields = new Set(set.fields.map((f) => `${f.field}:${f.editable ? 'RE' : 'R'}`));
  return (
    sameSet(wantObjects, current.objects) &&
    sameSet(wantFields, current.fields) &&
    sameSet(new Set(set.userPermissions), current.userPermissions)
  );
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((v) => b.has(v));
}
