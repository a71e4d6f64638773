import {
  ADMIN_ACCESS_PERMISSION_SET,
  INTEGRATION_ACCESS_PERMISSION_SET,
  INTEGRATION_PERMISSION_SET
} from '../contracts/api-names.ts';
import type { PackageKey } from '../contracts/channels.ts';
import { PACKAGES, packageForDirectory } from '../contracts/packages.ts';
import { loadMessages } from '../shared/messages.ts';
import { listClosestFirst } from './closest.ts';
import type { Inventory } from './inventory.ts';
import type { ParsedMetadataFile } from './parsed-files.ts';
import type { Problem } from './problem.ts';
import { childrenNamed, childText, descendants, type XmlElement } from './xml-walker.ts';

const messages = loadMessages('validate');

/** The integration user's permission sets: the packaged one and the one generated per org. */
const INTEGRATION_PERMISSION_SETS = new Set([INTEGRATION_PERMISSION_SET, INTEGRATION_ACCESS_PERMISSION_SET]);

type Context = {
  inventory: Inventory;
  namespace: string;
  file: ParsedMetadataFile;
  report: (element: XmlElement, message: string) => void;
};

type Checker = (context: Context) => number;

/** Checks that names in one component point at components that exist (in the project or standard). */
export function checkCrossReferences(
  files: ParsedMetadataFile[],
  inventory: Inventory,
  namespace: string
): { checked: number; problems: Problem[] } {
  const problems: Problem[] = [];
  let checked = 0;
  for (const file of files) {
    const checker = CHECKERS[file.typeName];
    if (!checker) continue;
    const report = (element: XmlElement, message: string): void => {
      problems.push({ file: file.file, line: element.line, column: element.column, message });
    };
    checked += checker({ inventory, namespace, file, report });
  }
  return { checked, problems };
}

const CHECKERS: Record<string, Checker> = {
  PermissionSet: (ctx) => checkPermissionSet(ctx) + checkLeastPrivilege(ctx),
  Flow: checkFlow,
  FlexiPage: checkFlexiPage,
  CustomTab: checkTab,
  CustomApplication: checkApplication,
  ExtlClntAppOauthConfigurablePolicies: checkEcaPolicies,
  ExtlClntAppOauthSettings: checkEcaChild,
  ExtlClntAppGlobalOauthSettings: checkEcaChild,
  ExtlClntAppConfigurablePolicies: checkEcaChild,
  ConnectedApp: checkConnectedApp,
  CustomMetadata: checkCustomMetadataRecord
};

/** Each (child element, name) pair under `parent` for the given path, e.g. ['objectPermissions', 'object']. */
function refs(
  parent: XmlElement,
  container: string,
  leaf: string
): Array<{ element: XmlElement; name: string }> {
  return childrenNamed(parent, container).flatMap((entry) =>
    childrenNamed(entry, leaf).map((element) => ({ element, name: element.text.trim() }))
  );
}

function requireComponent(ctx: Context, type: string, element: XmlElement, name: string, what: string): void {
  if (!ctx.inventory.has(type, name)) {
    const known = ctx.inventory.names(type);
    ctx.report(
      element,
      `${what} ${name} does not exist in this project (${type}, closest first: ${listClosestFirst(name, known) || 'none'}); fix the name or add the ${type}`
    );
    return;
  }
  requireInstallOrder(ctx, type, element, name, what);
}

/** The package keys a package may reference: itself and the packages it installs on top of. */
function reachablePackages(key: PackageKey | undefined): PackageKey[] {
  const chain: PackageKey[] = [];
  for (let next: PackageKey | null | undefined = key; next; next = PACKAGES[next].dependsOn) chain.push(next);
  return chain;
}

/**
 * A packaged component may name only components of its own package directory and of the packages
 * it is installed on top of: the base cannot name what the extension ships, and no package can
 * name what only unpackaged directories deploy (they come per org, after install).
 */
function requireInstallOrder(
  ctx: Context,
  type: string,
  element: XmlElement,
  name: string,
  what: string
): void {
  const from = ctx.file.packageDirectory;
  const to = ctx.inventory.directoryOf(type, name);
  if (!from.packaged || !to || to.path === from.path) return;
  const reachable = reachablePackages(from.key);
  // By the contract's directory, not the "package" name: a misspelt name is the project check's to report.
  const target = packageForDirectory(to.path);
  if (target && reachable.includes(target)) return;
  ctx.report(
    element,
    messages.getMessage('problem.crossPackageReference', [
      from.path,
      reachable.map((key) => PACKAGES[key].directory).join(', ') || from.path,
      what,
      name,
      to.path
    ])
  );
}

function checkPermissionSet(ctx: Context): number {
  const root = ctx.file.root;
  let count = 0;
  const objectOf = (element: XmlElement, name: string): void => {
    count++;
    const problem = ctx.inventory.objectProblem(name);
    if (problem) ctx.report(element, `permission set names ${problem}`);
    else requireInstallOrder(ctx, 'CustomObject', element, name, 'object');
  };
  for (const { element, name } of refs(root, 'objectPermissions', 'object')) objectOf(element, name);
  for (const { element, name } of refs(root, 'fieldPermissions', 'field')) {
    count++;
    const [object = '', field = ''] = name.split('.');
    const problem = field
      ? ctx.inventory.fieldProblem(object, field)
      : `field ${name} must be written Object.Field`;
    if (problem) ctx.report(element, `permission set names ${problem}`);
  }
  for (const { element, name } of refs(root, 'tabSettings', 'tab')) {
    count++;
    if (!name.startsWith('standard-')) requireComponent(ctx, 'CustomTab', element, name, 'tab');
  }
  for (const { element, name } of refs(root, 'applicationVisibilities', 'application')) {
    count++;
    if (!name.startsWith('standard__')) requireComponent(ctx, 'CustomApplication', element, name, 'app');
  }
  for (const { element, name } of refs(root, 'customMetadataTypeAccesses', 'name')) {
    count++;
    if (!name.endsWith('__mdt'))
      ctx.report(
        element,
        `customMetadataTypeAccesses names ${name}, which is not a custom metadata type (__mdt)`
      );
    else objectOf(element, name);
  }
  for (const { element, name } of refs(root, 'customSettingAccesses', 'name')) objectOf(element, name);
  const simple: Array<[string, string, string]> = [
    ['classAccesses', 'apexClass', 'ApexClass'],
    ['pageAccesses', 'apexPage', 'ApexPage'],
    ['flowAccesses', 'flow', 'Flow'],
    ['customPermissions', 'name', 'CustomPermission']
  ];
  for (const [container, leaf, type] of simple) {
    for (const { element, name } of refs(root, container, leaf)) {
      count++;
      requireComponent(ctx, type, element, name, type);
    }
  }
  return count;
}

/** User permissions that would give the integration user far more than reading conversations. */
const BROAD_USER_PERMISSIONS = new Set([
  'ViewAllData',
  'ModifyAllData',
  'ModifyMetadata',
  'CustomizeApplication',
  'ManageUsers',
  'AuthorApex',
  'ViewSetup'
]);

/**
 * The integration user's permission sets are least privilege (issue 2): no org-wide data or setup
 * access, and no View All / Modify All on any object. That holds for the packaged set and for the
 * access set the tooling generates per org. Counts as one reference per permission inspected.
 */
function checkLeastPrivilege(ctx: Context): number {
  const name = ctx.inventory.local(ctx.file.fullName);
  if (!INTEGRATION_PERMISSION_SETS.has(name)) return 0;
  let count = 0;
  for (const permission of childrenNamed(ctx.file.root, 'userPermissions')) {
    count++;
    const permissionName = childText(permission, 'name') ?? '';
    if (BROAD_USER_PERMISSIONS.has(permissionName) && childText(permission, 'enabled') === 'true') {
      ctx.report(permission, messages.getMessage('problem.broadUserPermission', [name, permissionName]));
    }
  }
  for (const permission of childrenNamed(ctx.file.root, 'objectPermissions')) {
    count++;
    for (const flag of ['viewAllRecords', 'modifyAllRecords']) {
      if (childText(permission, flag) === 'true') {
        ctx.report(
          permission,
          messages.getMessage('problem.viewAllOrModifyAll', [
            name,
            flag,
            childText(permission, 'object') ?? 'this object'
          ])
        );
      }
    }
  }
  return count;
}

/** Record elements (create, lookup, update, delete) and the children that name fields of their object. */
const RECORD_ELEMENTS = ['recordCreates', 'recordLookups', 'recordUpdates', 'recordDeletes'];
const FIELD_HOLDERS: Array<[string, string]> = [
  ['inputAssignments', 'field'],
  ['outputAssignments', 'field'],
  ['filters', 'field']
];

function checkFlow(ctx: Context): number {
  const root = ctx.file.root;
  let count = 0;
  const checkFields = (owner: XmlElement, object: string): void => {
    for (const [container, leaf] of FIELD_HOLDERS) {
      for (const { element, name } of refs(owner, container, leaf)) {
        count++;
        const problem = ctx.inventory.fieldProblem(object, name);
        if (problem)
          ctx.report(element, `flow element ${childText(owner, 'name') ?? owner.name} names ${problem}`);
      }
    }
    for (const queried of childrenNamed(owner, 'queriedFields')) {
      count++;
      const problem = ctx.inventory.fieldProblem(object, queried.text.trim());
      if (problem)
        ctx.report(queried, `flow element ${childText(owner, 'name') ?? owner.name} names ${problem}`);
    }
  };
  const withObject = (owner: XmlElement): string | undefined => {
    const objectElement = owner.children.find((c) => c.name === 'object');
    if (!objectElement) return undefined;
    const object = objectElement.text.trim();
    count++;
    const problem = ctx.inventory.objectProblem(object);
    if (problem) {
      ctx.report(objectElement, `flow names ${problem}`);
      return undefined;
    }
    requireInstallOrder(ctx, 'CustomObject', objectElement, object, 'object');
    return object;
  };

  const start = root.children.find((c) => c.name === 'start');
  const triggerObject = start ? withObject(start) : undefined;
  if (start && triggerObject) checkFields(start, triggerObject);
  for (const kind of RECORD_ELEMENTS) {
    for (const element of childrenNamed(root, kind)) {
      const object = withObject(element);
      if (object) checkFields(element, object);
    }
  }
  for (const { element, name } of refs(root, 'subflows', 'flowName')) {
    count++;
    requireComponent(ctx, 'Flow', element, name, 'subflow');
  }
  // $Record.Field and $Record__Prior.Field name fields of the triggering object.
  if (triggerObject) {
    for (const element of descendants(root)) {
      if (element.children.length > 0) continue;
      for (const match of element.text.matchAll(/\$Record(?:__Prior)?\.([A-Za-z0-9_]+)(\.[A-Za-z0-9_]+)?/g)) {
        if (match[2]) continue; // a relationship path: the field belongs to another object.
        count++;
        const problem = ctx.inventory.fieldProblem(triggerObject, match[1] ?? '');
        if (problem) ctx.report(element, `${match[0]}: ${problem}`);
      }
    }
  }
  return count;
}

const PAGE_TARGETS: Record<string, string> = {
  AppPage: 'lightning__AppPage',
  RecordPage: 'lightning__RecordPage',
  HomePage: 'lightning__HomePage',
  UtilityBar: 'lightning__UtilityBar'
};

/** Our own component in a FlexiPage: `c:name`, `<namespace>:name` or a bare name; anything else is Salesforce's. */
function ownComponentName(componentName: string, namespace: string): string | undefined {
  const [prefix, name] = componentName.includes(':') ? componentName.split(':') : ['c', componentName];
  return prefix === 'c' || (namespace !== '' && prefix === namespace) ? name : undefined;
}

function requireExposedComponent(
  ctx: Context,
  element: XmlElement,
  name: string,
  target: string | undefined
): void {
  const bundle = ctx.inventory.root('LightningComponentBundle', name);
  if (!bundle) {
    requireComponent(ctx, 'LightningComponentBundle', element, name, 'Lightning web component');
    return;
  }
  if (childText(bundle, 'isExposed') !== 'true') {
    ctx.report(
      element,
      `component ${name} is not exposed (isExposed is not true in ${name}.js-meta.xml), so it cannot be placed here`
    );
  }
  const targets = refs(bundle, 'targets', 'target').map((t) => t.name);
  if (target && !targets.includes(target)) {
    ctx.report(
      element,
      `component ${name} does not list the target ${target} in ${name}.js-meta.xml (it lists: ${targets.join(', ') || 'none'})`
    );
  }
}

function checkFlexiPage(ctx: Context): number {
  let count = 0;
  const target = PAGE_TARGETS[childText(ctx.file.root, 'type') ?? ''];
  for (const element of descendants(ctx.file.root)) {
    if (element.name !== 'componentName') continue;
    const name = ownComponentName(element.text.trim(), ctx.namespace);
    if (name === undefined) continue;
    count++;
    requireExposedComponent(ctx, element, name, target);
  }
  return count;
}

function checkTab(ctx: Context): number {
  let count = 0;
  for (const element of childrenNamed(ctx.file.root, 'flexiPage')) {
    count++;
    requireComponent(ctx, 'FlexiPage', element, element.text.trim(), 'FlexiPage');
  }
  for (const element of childrenNamed(ctx.file.root, 'lwcComponent')) {
    count++;
    requireExposedComponent(ctx, element, element.text.trim(), 'lightning__Tab');
  }
  return count;
}

function checkApplication(ctx: Context): number {
  let count = 0;
  for (const element of childrenNamed(ctx.file.root, 'tabs')) {
    count++;
    const name = element.text.trim();
    if (!name.startsWith('standard-')) requireComponent(ctx, 'CustomTab', element, name, 'tab');
  }
  for (const element of childrenNamed(ctx.file.root, 'utilityBar')) {
    count++;
    requireComponent(ctx, 'FlexiPage', element, element.text.trim(), 'utility bar FlexiPage');
  }
  return count;
}

function checkEcaChild(ctx: Context): number {
  const element = ctx.file.root.children.find((c) => c.name === 'externalClientApplication');
  if (!element) return 0;
  requireComponent(ctx, 'ExternalClientApplication', element, element.text.trim(), 'External Client App');
  return 1;
}

/**
 * Permission sets the tooling generates per org (never in the project, never packaged): a policy
 * may name them, because the tooling deploys the policy only after the set.
 */
const GENERATED_PERMISSION_SETS = new Set([INTEGRATION_ACCESS_PERMISSION_SET, ADMIN_ACCESS_PERMISSION_SET]);

/**
 * Permission set names in an app policy must exist (or be generated by the tooling), and the one
 * that pre-authorizes the integration user must be among them: the generated access set for the
 * External Client App, the packaged integration set for the legacy Connected App.
 */
function checkPolicyPermissionSets(
  ctx: Context,
  owner: XmlElement,
  names: Array<{ element: XmlElement; name: string }>,
  required: string
): number {
  for (const { element, name } of names) {
    if (!GENERATED_PERMISSION_SETS.has(name))
      requireComponent(ctx, 'PermissionSet', element, name, 'permission set');
  }
  if (!names.some(({ name }) => ctx.inventory.local(name) === required || name === required)) {
    ctx.report(owner, messages.getMessage('crossref.policyPermissionSet', [required]));
  }
  return names.length + 1;
}

function checkEcaPolicies(ctx: Context): number {
  const root = ctx.file.root;
  const list = root.children.find((c) => c.name === 'commaSeparatedPermissionSet');
  const names = (list?.text ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => ({ element: list ?? root, name }));
  return (
    checkEcaChild(ctx) +
    checkPolicyPermissionSets(ctx, list ?? root, names, INTEGRATION_ACCESS_PERMISSION_SET)
  );
}

function checkConnectedApp(ctx: Context): number {
  const names = childrenNamed(ctx.file.root, 'permissionSetName').map((element) => ({
    element,
    name: element.text.trim()
  }));
  return checkPolicyPermissionSets(ctx, ctx.file.root, names, INTEGRATION_PERMISSION_SET);
}

/** Checkbox -> xsd:boolean and so on: what the Metadata API expects in a record's <value xsi:type>. */
const XSD_FOR_FIELD_TYPE: Record<string, string> = {
  Checkbox: 'xsd:boolean',
  Number: 'xsd:double',
  Percent: 'xsd:double',
  Currency: 'xsd:double',
  Date: 'xsd:date',
  DateTime: 'xsd:dateTime'
};

function checkCustomMetadataRecord(ctx: Context): number {
  const [typeName = ''] = ctx.file.fullName.split('.');
  const type = `${typeName}__mdt`;
  const root = ctx.file.root;
  const objectProblem = ctx.inventory.objectProblem(type);
  if (objectProblem) {
    ctx.report(root, `custom metadata record ${ctx.file.fullName} belongs to ${objectProblem}`);
    return 1;
  }
  let count = 1;
  for (const entry of childrenNamed(root, 'values')) {
    const fieldElement = entry.children.find((c) => c.name === 'field');
    if (!fieldElement) continue;
    count++;
    const field = fieldElement.text.trim();
    const fieldType = ctx.inventory.fieldType(type, field);
    if (fieldType === undefined) {
      ctx.report(fieldElement, `record ${ctx.file.fullName} sets ${field}, which is not a field of ${type}`);
      continue;
    }
    const value = entry.children.find((c) => c.name === 'value');
    const expected = XSD_FOR_FIELD_TYPE[fieldType] ?? 'xsd:string';
    const actual = value?.attributes['xsi:type'];
    if (
      value &&
      value.attributes['xsi:nil'] !== 'true' &&
      actual !== expected &&
      !(expected === 'xsd:double' && actual === 'xsd:int')
    ) {
      ctx.report(
        value,
        `value of ${field} (a ${fieldType} field) must be written xsi:type="${expected}", found ${actual ? `"${actual}"` : 'no xsi:type'}`
      );
    }
  }
  return count;
}

/** Names of the custom labels the project defines (CustomLabels files). */
export function customLabelNames(files: ParsedMetadataFile[]): Set<string> {
  return new Set(
    files
      .filter((file) => file.typeName === 'CustomLabels')
      .flatMap((file) =>
        childrenNamed(file.root, 'labels').map((label) => childText(label, 'fullName') ?? '')
      )
  );
}
