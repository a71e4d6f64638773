import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ts from 'typescript';
import { DOCUMENTED_STRING_ENUMS } from './schema-supplements.ts';

/**
 * The Metadata API schema, derived at validation time from @salesforce/types (lib/metadata.d.ts), which
 * Salesforce generates from the Metadata API WSDL. Nothing here is written per type by hand.
 *
 * How the WSDL shows through the d.ts: a complex type is an object type (`Metadata & { ... }` for
 * extensions), an enumeration is a union of string literals, `x?: T` is minOccurs="0", and `x: T[]` is
 * an element that may repeat (zero or more times, so arrays are never treated as required).
 */
export type ValueKind = 'string' | 'boolean' | 'number' | 'date' | 'any' | 'enum' | 'complex';

export type FieldSpec = {
  name: string;
  kind: ValueKind;
  array: boolean;
  required: boolean;
  /** Name of the referenced type (complex types and named enums). */
  typeName?: string;
  enumValues?: readonly string[];
};

export type TypeSpec = {
  name: string;
  fields: ReadonlyMap<string, FieldSpec>;
};

type Resolved =
  | { kind: 'string' | 'boolean' | 'number' | 'date' | 'any' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'complex' };

export class MetadataSchema {
  private readonly aliases = new Map<string, ts.TypeNode>();
  private readonly typeCache = new Map<string, TypeSpec | undefined>();

  public constructor(declarations: string) {
    const source = ts.createSourceFile('metadata.d.ts', declarations, ts.ScriptTarget.Latest, false);
    for (const statement of source.statements) {
      if (ts.isTypeAliasDeclaration(statement)) this.aliases.set(statement.name.text, statement.type);
    }
  }

  /** The complex type called `name` (e.g. "Flow", "FlowStart"), or undefined when the d.ts has none. */
  public getType(name: string): TypeSpec | undefined {
    if (this.typeCache.has(name)) return this.typeCache.get(name);
    const node = this.aliases.get(name);
    let spec: TypeSpec | undefined;
    if (node && this.resolveNode(node).kind === 'complex') {
      const fields = this.collectFields(node);
      for (const [fieldName, values] of Object.entries(DOCUMENTED_STRING_ENUMS[name] ?? {})) {
        const field = fields.get(fieldName);
        if (field?.kind === 'string')
          fields.set(fieldName, {
            ...field,
            kind: 'enum',
            enumValues: values,
            typeName: `${name}.${fieldName} (documented values)`
          });
      }
      spec = { name, fields };
    }
    this.typeCache.set(name, spec);
    return spec;
  }

  public hasType(name: string): boolean {
    return this.getType(name) !== undefined;
  }

  private collectFields(node: ts.TypeNode): Map<string, FieldSpec> {
    const fields = new Map<string, FieldSpec>();
    if (ts.isIntersectionTypeNode(node)) {
      for (const part of node.types) for (const [k, v] of this.collectFields(part)) fields.set(k, v);
    } else if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const target = this.aliases.get(node.typeName.text);
      if (target) for (const [k, v] of this.collectFields(target)) fields.set(k, v);
    } else if (ts.isTypeLiteralNode(node)) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member) || !member.type || !ts.isIdentifier(member.name)) continue;
        fields.set(
          member.name.text,
          this.fieldSpec(member.name.text, member.type, member.questionToken !== undefined)
        );
      }
    }
    return fields;
  }

  private fieldSpec(name: string, typeNode: ts.TypeNode, optional: boolean): FieldSpec {
    const array = ts.isArrayTypeNode(typeNode);
    const element = ts.isArrayTypeNode(typeNode) ? typeNode.elementType : typeNode;
    const resolved = this.resolveNode(element);
    const typeName =
      ts.isTypeReferenceNode(element) && ts.isIdentifier(element.typeName)
        ? element.typeName.text
        : undefined;
    const spec: FieldSpec = { name, kind: resolved.kind, array, required: !optional && !array };
    if (typeName !== undefined) spec.typeName = typeName;
    if (resolved.kind === 'enum') spec.enumValues = resolved.values;
    return spec;
  }

  private resolveNode(node: ts.TypeNode): Resolved {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { kind: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { kind: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return { kind: 'number' };
      case ts.SyntaxKind.AnyKeyword:
        return { kind: 'any' };
      default:
        break;
    }
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal))
      return { kind: 'enum', values: [node.literal.text] };
    if (ts.isUnionTypeNode(node)) {
      const values = node.types.flatMap((t) =>
        ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? [t.literal.text] : []
      );
      if (values.length === node.types.length) return { kind: 'enum', values };
      return { kind: 'any' };
    }
    if (ts.isTypeLiteralNode(node) || ts.isIntersectionTypeNode(node)) return { kind: 'complex' };
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const target = this.aliases.get(node.typeName.text);
      // Date is the built-in JS type: the WSDL's xsd:dateTime / xsd:date.
      if (!target) return node.typeName.text === 'Date' ? { kind: 'date' } : { kind: 'any' };
      return this.resolveNode(target);
    }
    return { kind: 'any' };
  }
}

let shared: MetadataSchema | undefined;

/** Loads (once per process) the schema from the installed @salesforce/types package. */
export function loadMetadataSchema(): MetadataSchema {
  if (!shared) {
    const require = createRequire(import.meta.url);
    // The package exports only lib/*.js; the d.ts sits beside metadata.js.
    const dts = require.resolve('@salesforce/types/metadata').replace(/metadata\.js$/, 'metadata.d.ts');
    shared = new MetadataSchema(readFileSync(dts, 'utf8'));
  }
  return shared;
}
