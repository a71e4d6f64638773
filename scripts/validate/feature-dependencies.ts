import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { SourceComponent } from '@salesforce/source-deploy-retrieve';
import { featureName } from '../contracts/channels.ts';
import { PACKAGES } from '../contracts/packages.ts';
import { loadMessages } from '../shared/messages.ts';
import { allowedFeatures, gatedObjects, packageCarrying, type GatedFeature } from './feature-gates.ts';
import type { ParsedMetadataFile } from './parsed-files.ts';
import type { Problem } from './problem.ts';
import type { PackageDirectory } from './project.ts';
import { childrenNamed, descendants, type XmlElement } from './xml-walker.ts';

const messages = loadMessages('validate');

/** Where a component names an object: the place to report and how to describe it. */
type ObjectReference = { line: number; column: number; what: string; object: string };

/**
 * Elements whose text is an object's API name, in any metadata type: flow trigger and record
 * elements (`object`), flow variables (`objectType`), FlexiPages (`sobjectType`), lookup fields
 * (`referenceTo`), quick actions (`targetObject`) and LWC targets (`object`).
 */
const OBJECT_ELEMENTS = new Set(['object', 'objectType', 'sobjectType', 'referenceTo', 'targetObject']);

/** Types whose fullName starts with the object they belong to (Object.Child). */
const OBJECT_CHILD_TYPES = new Set([
  'CustomObject',
  'CustomField',
  'ListView',
  'RecordType',
  'ValidationRule',
  'WebLink',
  'CompactLayout',
  'FieldSet',
  'BusinessProcess',
  'SharingReason',
  'Index',
  'QuickAction'
]);

/** Data, not references: custom metadata record values and label texts may name any object. */
const DATA_TYPES = new Set(['CustomMetadata', 'CustomLabels', 'CustomLabel']);

const SCHEMA_IMPORT = /['"]@salesforce\/schema\/([A-Za-z0-9_]+)[.'"]/g;

/**
 * The dependency rule: a packaged directory references no object of a feature that its package
 * does not bring (scripts/contracts/packages.ts). The base needs Service Cloud only, so it names
 * no Messaging or legacy Chat object; the Messaging extension may name Messaging objects but no
 * legacy Chat ones. A reference to a feature-gated object is an install dependency: the org must
 * have the feature or the install fails.
 */
export async function checkFeatureDependencies(
  files: ParsedMetadataFile[],
  components: SourceComponent[],
  directories: PackageDirectory[],
  projectRoot: string
): Promise<{ checked: number; problems: Problem[] }> {
  const gated = gatedObjects();
  const problems: Problem[] = [];
  let checked = 0;
  const judge = (directory: PackageDirectory, file: string, references: ObjectReference[]): void => {
    const allowed = allowedFeatures(directory.key);
    for (const reference of references) {
      checked++;
      const feature = gated.get(reference.object);
      if (!feature || allowed.includes(feature)) continue;
      problems.push({
        file,
        line: reference.line,
        column: reference.column,
        message: gatedReferenceMessage(reference, feature, directory)
      });
    }
  };

  for (const file of files) {
    if (file.packageDirectory.packaged) judge(file.packageDirectory, file.file, metadataReferences(file));
  }
  for (const bundle of components.filter((c) => c.type.name === 'LightningComponentBundle' && c.content)) {
    const directory = directories.find((d) => bundle.content?.startsWith(`${d.absolutePath}/`));
    if (!directory?.packaged) continue;
    for (const path of bundle.walkContent().sort()) {
      if (path.includes('/__tests__/') || !/\.(js|html)$/.test(path)) continue;
      const text = await readFile(path, 'utf8');
      const file = relative(projectRoot, path).split('\\').join('/');
      judge(directory, file, schemaImports(text));
    }
  }
  return { checked, problems };
}

function gatedReferenceMessage(
  reference: ObjectReference,
  feature: GatedFeature,
  directory: PackageDirectory
): string {
  const carrier = packageCarrying(feature);
  const fix = carrier
    ? messages.getMessage('problem.gatedReference.moveTo', [
        PACKAGES[carrier].directory,
        featureName(feature)
      ])
    : capitalised(messages.getMessage('problem.gatedReference.noPackage', [featureName(feature)]));
  return messages.getMessage('problem.gatedReference', [
    reference.what,
    reference.object,
    featureName(feature),
    directory.path,
    allowedFeatures(directory.key).map(featureName).join(' and '),
    featureName(feature),
    fix
  ]);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Every object a metadata file names, outside descriptions, labels and record values. */
function metadataReferences(file: ParsedMetadataFile): ObjectReference[] {
  if (DATA_TYPES.has(file.typeName)) return [];
  const root = file.root;
  const at = (element: XmlElement, what: string, object: string): ObjectReference => ({
    line: element.line,
    column: element.column,
    what,
    object
  });
  const references: ObjectReference[] = [];
  const owner = ownerObject(file.typeName, file.fullName);
  if (owner) references.push(at(root, `${file.typeName} ${file.fullName}`, owner));
  for (const element of descendants(root)) {
    if (element.children.length > 0) continue;
    if (OBJECT_ELEMENTS.has(element.name)) {
      references.push(at(element, `<${element.name}>`, element.text.trim()));
    }
  }
  if (file.typeName === 'PermissionSet' || file.typeName === 'Profile') {
    const qualified: Array<[string, string]> = [
      ['fieldPermissions', 'field'],
      ['recordTypeVisibilities', 'recordType']
    ];
    for (const [container, leaf] of qualified) {
      for (const entry of childrenNamed(root, container)) {
        for (const element of childrenNamed(entry, leaf)) {
          references.push(at(element, `<${container}> ${element.text.trim()}`, objectPart(element.text)));
        }
      }
    }
    for (const entry of childrenNamed(root, 'tabSettings')) {
      for (const element of childrenNamed(entry, 'tab')) {
        const tab = element.text.trim();
        if (tab.startsWith('standard-')) references.push(at(element, `<tabSettings> ${tab}`, tab.slice(9)));
      }
    }
  }
  return references;
}

/** The object a component belongs to by its name: MessagingSession.Foo__c, MessagingSession-Layout. */
function ownerObject(typeName: string, fullName: string): string | undefined {
  if (typeName === 'Layout') return fullName.split('-')[0];
  if (!OBJECT_CHILD_TYPES.has(typeName)) return undefined;
  if (typeName === 'QuickAction' && !fullName.includes('.')) return undefined;
  return objectPart(fullName);
}

function objectPart(qualifiedName: string): string {
  return qualifiedName.trim().split('.')[0] ?? '';
}

/** `@salesforce/schema/Object` and `@salesforce/schema/Object.Field` imports of an LWC file. */
function schemaImports(text: string): ObjectReference[] {
  return [...text.matchAll(SCHEMA_IMPORT)].map((match) => {
    const before = text.slice(0, match.index).split('\n');
    return {
      line: before.length,
      column: (before.at(-1)?.length ?? 0) + 1,
      what: `import of @salesforce/schema/${match[1] ?? ''}`,
      object: match[1] ?? ''
    };
  });
}
