import { listClosestFirst } from './closest.ts';
import type { FieldSpec, MetadataSchema, TypeSpec } from './metadata-schema.ts';
import type { Problem } from './problem.ts';
import type { XmlElement } from './xml-walker.ts';

export const METADATA_NAMESPACE = 'http://soap.sforce.com/2006/04/metadata';

/** `${NAME}`: a value the deploy tooling fills in (unpackaged templates). */
const PLACEHOLDER = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/g;
const BOOLEAN = /^(true|false)$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export type SchemaCheckOptions = {
  /** Path of the file, relative to the project, used in problems. */
  file: string;
  /** The metadata type SDR resolved the file as; the root element must carry this name. */
  expectedType: string;
  /**
   * Placeholders allowed in string values. False for directories that ship in the package as they are
   * (a literal `${X}` would reach subscribers), unless the placeholder is a declared replacement.
   */
  allowPlaceholders: boolean;
  /** Strings that sfdx-project.json `replacements` swap at deploy time; allowed anywhere a string goes. */
  declaredReplacements: ReadonlySet<string>;
};

/** Checks one metadata XML tree against the Metadata API types from @salesforce/types. */
export function checkAgainstSchema(
  root: XmlElement,
  schema: MetadataSchema,
  options: SchemaCheckOptions
): Problem[] {
  const problems: Problem[] = [];
  const report = (element: XmlElement, message: string): void => {
    problems.push({ file: options.file, line: element.line, column: element.column, message });
  };

  if (root.name !== options.expectedType) {
    report(
      root,
      `root element <${root.name}> does not match the file's metadata type ${options.expectedType} (from its folder and suffix); rename the root element or move the file`
    );
  }
  const rootType = schema.getType(root.name);
  if (!rootType) {
    report(
      root,
      `<${root.name}> is not a Metadata API type known to @salesforce/types; check the spelling of the root element`
    );
    return problems;
  }
  if (root.attributes.xmlns !== METADATA_NAMESPACE) {
    report(
      root,
      `<${root.name}> must declare xmlns="${METADATA_NAMESPACE}" (the Metadata API rejects the file without it)`
    );
  }

  const checkValue = (element: XmlElement, field: FieldSpec, owner: string): void => {
    if (element.children.length > 0) {
      report(element, `<${element.name}> in ${owner} holds a ${describeKind(field)}, not child elements`);
      return;
    }
    const value = element.text.trim();
    const placeholders = value.match(PLACEHOLDER) ?? [];
    const undeclared = placeholders.filter((p) => !options.declaredReplacements.has(p));
    if (undeclared.length > 0) {
      if (field.kind !== 'string' && !(field.kind === 'any' && !element.attributes['xsi:type'])) {
        report(
          element,
          `placeholder ${undeclared.join(', ')} stands where ${owner}.${field.name} needs a ${describeKind(field)}; that value cannot be checked before deploy: write a literal value (placeholders are for strings only)`
        );
        return;
      }
      if (!options.allowPlaceholders) {
        report(
          element,
          `placeholder ${undeclared.join(', ')} in a packaged directory would ship literally; move the file to an unpackaged directory or declare the placeholder in sfdx-project.json "replacements"`
        );
      }
      return;
    }
    if (placeholders.length > 0 && field.kind !== 'string') return;
    const xsiType = element.attributes['xsi:type'];
    const kind = field.kind === 'any' && xsiType ? kindOfXsdType(xsiType) : field.kind;
    if (element.attributes['xsi:nil'] === 'true') return;
    if (kind === 'boolean' && !BOOLEAN.test(value)) {
      report(element, `<${element.name}> in ${owner} must be true or false, found '${value}'`);
    } else if (kind === 'number' && !NUMBER.test(value)) {
      report(element, `<${element.name}> in ${owner} must be a number, found '${value}'`);
    } else if (kind === 'date' && !DATE.test(value)) {
      report(
        element,
        `<${element.name}> in ${owner} must be an ISO 8601 date or date-time, found '${value}'`
      );
    } else if (kind === 'enum' && field.enumValues && !field.enumValues.includes(value)) {
      report(
        element,
        `'${value}' is not a valid ${field.typeName ?? 'value'} for <${element.name}> in ${owner}; allowed (closest first): ${listClosestFirst(value, field.enumValues)}`
      );
    }
  };

  const checkComplex = (element: XmlElement, type: TypeSpec, path: string): void => {
    const text = element.text.trim();
    if (text !== '')
      report(
        element,
        `<${element.name}> (${type.name}) takes child elements, not the text '${text.slice(0, 40)}'`
      );
    const seen = new Map<string, number>();
    for (const child of element.children) {
      const field = type.fields.get(child.name);
      if (!field) {
        report(
          child,
          `<${child.name}> is not an element of ${type.name} (in ${path}); allowed (closest first): ${listClosestFirst(child.name, type.fields.keys())}`
        );
        continue;
      }
      const count = (seen.get(child.name) ?? 0) + 1;
      seen.set(child.name, count);
      if (count === 2 && !field.array) {
        report(
          child,
          `<${child.name}> appears more than once in ${path}, but ${type.name}.${child.name} takes a single value`
        );
      }
      if (field.kind === 'complex') {
        const xsiType = child.attributes['xsi:type'];
        const childTypeName =
          xsiType && !xsiType.startsWith('xsd:') ? xsiType.replace(/^.*:/, '') : field.typeName;
        const childType = childTypeName ? schema.getType(childTypeName) : undefined;
        if (childType) checkComplex(child, childType, `${path}/${child.name}`);
        else
          report(
            child,
            `<${child.name}> names type ${childTypeName ?? '?'} that @salesforce/types does not define`
          );
      } else {
        checkValue(child, field, type.name);
      }
    }
    for (const field of type.fields.values()) {
      if (field.required && !seen.has(field.name)) {
        report(
          element,
          `<${element.name}> (${type.name}, at ${path}) is missing the required element <${field.name}>`
        );
      }
    }
  };

  checkComplex(root, rootType, root.name);
  return problems;
}

function describeKind(field: FieldSpec): string {
  if (field.kind === 'enum') return `${field.typeName ?? 'enumeration'} value`;
  if (field.kind === 'complex') return `${field.typeName ?? 'complex'} element`;
  return `${field.kind} value`;
}

function kindOfXsdType(xsiType: string): FieldSpec['kind'] {
  switch (xsiType.replace(/^.*:/, '')) {
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'long':
    case 'double':
    case 'decimal':
    case 'integer':
      return 'number';
    case 'date':
    case 'dateTime':
      return 'date';
    default:
      return 'string';
  }
}
