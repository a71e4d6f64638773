import { catalogueObject, type CatalogueObject } from './catalogue.ts';
import type { FakeMetadataState } from './metadata-api.ts';
import type { FakeOrgData } from './org-data.ts';
import { selectedFields, type ParsedQuery } from './soql.ts';

// What a user may read, computed the way Salesforce does it for the integration user: the union
// of the object and field permissions of every permission set assigned to it (its profile,
// "Minimum Access - API Only Integrations", grants nothing on conversation objects). Queries that
// touch an object or field the user may not read fail with Salesforce's own errors, so a fetcher
// that selects a field the access permission set does not grant fails its test.

export interface Grants {
  objects: Set<string>;
  fields: Set<string>;
  userPermissions: Set<string>;
}

/** Permissions of one permission set from its metadata XML (deployed, or seeded for a package). */
export function grantsOf(xml: string): Grants {
  const grants: Grants = { objects: new Set(), fields: new Set(), userPermissions: new Set() };
  for (const block of xml.matchAll(/<objectPermissions>([\s\S]*?)<\/objectPermissions>/g)) {
    const object = /<object>([^<]+)<\/object>/.exec(block[1]!)?.[1];
    if (object && /<allowRead>true<\/allowRead>/.test(block[1]!)) grants.objects.add(object.toLowerCase());
  }
  for (const block of xml.matchAll(/<fieldPermissions>([\s\S]*?)<\/fieldPermissions>/g)) {
    const field = /<field>([^<]+)<\/field>/.exec(block[1]!)?.[1];
    if (field && /<readable>true<\/readable>/.test(block[1]!)) grants.fields.add(field.toLowerCase());
  }
  for (const block of xml.matchAll(/<userPermissions>([\s\S]*?)<\/userPermissions>/g)) {
    const name = /<name>([^<]+)<\/name>/.exec(block[1]!)?.[1];
    if (name && /<enabled>true<\/enabled>/.test(block[1]!)) grants.userPermissions.add(name);
  }
  return grants;
}

/** The permission set names (namespace-qualified where packaged) assigned to a user. */
export function assignedPermissionSets(
  org: FakeOrgData,
  userId: string
): { name: string; record: Record<string, unknown> }[] {
  return org
    .all('PermissionSetAssignment')
    .filter((a) => String(a.AssigneeId).slice(0, 15) === userId.slice(0, 15))
    .map((a) => org.findById(String(a.PermissionSetId)))
    .filter((p): p is NonNullable<typeof p> => p !== undefined)
    .map((p) => ({
      name: p.NamespacePrefix ? `${String(p.NamespacePrefix)}__${String(p.Name)}` : String(p.Name),
      record: p
    }));
}

/** The user's grants from every assigned permission set. */
export function grantsFor(org: FakeOrgData, metadata: FakeMetadataState, userId: string): Grants {
  const total: Grants = { objects: new Set(), fields: new Set(), userPermissions: new Set() };
  for (const { name, record } of assignedPermissionSets(org, userId)) {
    const xml =
      typeof record.grantsXml === 'string'
        ? record.grantsXml
        : (metadata.get('PermissionSet', name)?.content ?? '');
    const grants = grantsOf(xml);
    for (const key of ['objects', 'fields', 'userPermissions'] as const)
      for (const value of grants[key]) total[key].add(value);
  }
  return total;
}

export interface AccessError {
  errorCode: string;
  message: string;
}

const WSDL_HINT = 'Please reference your WSDL or the describe call for the appropriate names.';

export function invalidType(object: string): AccessError {
  return {
    errorCode: 'INVALID_TYPE',
    message: `sObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. ${WSDL_HINT}`
  };
}

function noSuchColumn(field: string, object: string): AccessError {
  return {
    errorCode: 'INVALID_FIELD',
    message: `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. ${WSDL_HINT}`
  };
}

function unknownRelationship(relationship: string): AccessError {
  return {
    errorCode: 'INVALID_TYPE',
    message: `Didn't understand relationship '${relationship}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL_HINT}`
  };
}

export interface AccessContext {
  /** is the object in this org at all (its feature is on)? */
  exists(object: string): boolean;
  /** undefined: no restriction (an admin); otherwise the user's grants */
  grants: Grants | undefined;
}

function canReadObject(object: CatalogueObject, context: AccessContext): boolean {
  if (!context.exists(object.name)) return false;
  if (!context.grants || !object.permissionable) return true;
  return context.grants.objects.has(object.name.toLowerCase());
}

function checkField(object: CatalogueObject, path: string, context: AccessContext): AccessError | undefined {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) {
    const field = object.fields.find((f) => f.name.toLowerCase() === head!.toLowerCase());
    if (!field) return noSuchColumn(head!, object.name);
    if (
      context.grants &&
      field.permissionable &&
      !context.grants.fields.has(`${object.name}.${field.name}`.toLowerCase())
    ) {
      return noSuchColumn(field.name, object.name);
    }
    return undefined;
  }
  const lookup = object.fields.find((f) => f.relationshipName?.toLowerCase() === head!.toLowerCase());
  if (!lookup) return noSuchColumn(head!, object.name);
  if (
    context.grants &&
    lookup.permissionable &&
    !context.grants.fields.has(`${object.name}.${lookup.name}`.toLowerCase())
  ) {
    return noSuchColumn(head!, object.name);
  }
  // Polymorphic lookups (Owner -> User or Group) expose Name to everyone.
  const target = catalogueObject(lookup.referenceTo![0]!);
  if (!target) return undefined;
  if (!canReadObject(target, context)) return noSuchColumn(head!, object.name);
  return checkField(target, rest.join('.'), context);
}

/** The first reason Salesforce would refuse this query for this user, or undefined. */
export function checkQuery(query: ParsedQuery, context: AccessContext): AccessError | undefined {
  const object = catalogueObject(query.object);
  if (!object) return context.exists(query.object) ? undefined : invalidType(query.object);
  if (!canReadObject(object, context)) return invalidType(query.object);
  for (const selected of selectedFields(query)) {
    if (selected.child) continue;
    const problem = checkField(object, selected.field, context);
    if (problem) return problem;
  }
  for (const condition of query.where) {
    const problem = checkField(object, condition.field, context);
    if (problem) return problem;
  }
  for (const sub of query.subqueries) {
    const child = object.children?.[sub.relationship];
    const childObject = child ? catalogueObject(child.object) : undefined;
    if (!child || !childObject || !canReadObject(childObject, context))
      return unknownRelationship(sub.relationship);
    for (const field of sub.query.fields) {
      const problem = checkField(childObject, field, context);
      if (problem) return problem;
    }
  }
  return undefined;
}
