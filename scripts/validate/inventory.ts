import { listClosestFirst } from './closest.ts';
import type { ParsedMetadataFile } from './parsed-files.ts';
import type { MetadataXmlFile } from './resolve-and-convert.ts';
import { IMPLICIT_FIELDS_BY_SUFFIX, STANDARD_OBJECT_FIELDS } from './standard-objects.ts';
import { childText, type XmlElement } from './xml-walker.ts';

/** What the project defines, by metadata type, so references can be checked against it. */
export class Inventory {
  /** Custom objects of the project and their custom fields (field name -> field type). */
  private readonly objects = new Map<string, Map<string, string>>();
  /** Custom fields the project adds to standard objects ("Case.Foo__c" style keys). */
  private readonly byType = new Map<string, Map<string, MetadataXmlFile & { root?: XmlElement }>>();

  public constructor(
    files: ParsedMetadataFile[],
    private readonly namespace: string,
    /** Files that did not parse: their names still exist, so references to them do not cascade. */
    unparsed: MetadataXmlFile[] = []
  ) {
    for (const file of [...files, ...unparsed]) {
      const members =
        this.byType.get(file.typeName) ?? new Map<string, MetadataXmlFile & { root?: XmlElement }>();
      members.set(file.fullName, file);
      this.byType.set(file.typeName, members);
      if (file.typeName === 'CustomObject') this.fieldsOf(file.fullName);
      if (file.typeName === 'CustomField') {
        const [object = '', field = ''] = file.fullName.split('.');
        const root = 'root' in file ? (file.root as XmlElement) : undefined;
        this.fieldsOf(object).set(field, root ? (childText(root, 'type') ?? '') : '');
      }
    }
  }

  /** Drops our own namespace prefix: package source may name `tethr__X__c` or `X__c`. */
  public local(name: string): string {
    const prefix = this.namespace ? `${this.namespace}__` : undefined;
    return prefix && name.startsWith(prefix) && name.split('__').length > 2
      ? name.slice(prefix.length)
      : name;
  }

  /** True when the project has a component of `type` called `name` (namespace prefix ignored). */
  public has(type: string, name: string): boolean {
    return this.byType.get(type)?.has(this.local(name)) ?? false;
  }

  public names(type: string): string[] {
    return [...(this.byType.get(type)?.keys() ?? [])];
  }

  /** Undefined when the object exists; otherwise why not. */
  public objectProblem(objectName: string): string | undefined {
    const object = this.local(objectName);
    if (this.isCustomObjectName(object)) {
      return this.objects.has(object) && this.has('CustomObject', object)
        ? undefined
        : `object ${objectName} is not defined in this project (its objects, closest first: ${listClosestFirst(object, this.names('CustomObject')) || 'none'})`;
    }
    return object in STANDARD_OBJECT_FIELDS
      ? undefined
      : `object ${objectName} is neither defined in this project nor in the standard-object allow-list (scripts/validate/standard-objects.ts); check the name in the Object Reference and add it there`;
  }

  /** Undefined when `object.field` exists; otherwise why not. */
  public fieldProblem(objectName: string, fieldName: string): string | undefined {
    const objectProblem = this.objectProblem(objectName);
    if (objectProblem) return objectProblem;
    const object = this.local(objectName);
    const field = this.local(fieldName);
    if (this.objects.get(object)?.has(field)) return undefined;
    const suffix = Object.keys(IMPLICIT_FIELDS_BY_SUFFIX).find((s) => object.endsWith(s));
    const standardFields = suffix ? IMPLICIT_FIELDS_BY_SUFFIX[suffix] : STANDARD_OBJECT_FIELDS[object];
    if (!field.endsWith('__c') && standardFields?.includes(field)) return undefined;
    const known = [...(this.objects.get(object)?.keys() ?? []), ...(standardFields ?? [])];
    if (field.endsWith('__c') || suffix) {
      return `field ${fieldName} is not defined on ${objectName} in this project (its fields, closest first: ${listClosestFirst(field, known) || 'none'})`;
    }
    return `field ${objectName}.${fieldName} is not in the standard-field allow-list (scripts/validate/standard-objects.ts); check it in the Object Reference and add it there`;
  }

  /** Field type (CustomField <type>) of a project field, if the project defines it. */
  public fieldType(objectName: string, fieldName: string): string | undefined {
    return this.objects.get(this.local(objectName))?.get(this.local(fieldName));
  }

  /** The package directory that holds the component, if the project has it. */
  public directoryOf(type: string, name: string): MetadataXmlFile['packageDirectory'] | undefined {
    return this.byType.get(type)?.get(this.local(name))?.packageDirectory;
  }

  public root(type: string, name: string): XmlElement | undefined {
    return this.byType.get(type)?.get(this.local(name))?.root;
  }

  private fieldsOf(object: string): Map<string, string> {
    let fields = this.objects.get(object);
    if (!fields) {
      fields = new Map();
      this.objects.set(object, fields);
    }
    return fields;
  }

  private isCustomObjectName(name: string): boolean {
    return /__(c|e|mdt|x|b|kav|xo)$/.test(name);
  }
}
