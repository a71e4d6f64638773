import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { SourceComponent } from '@salesforce/source-deploy-retrieve';
import { listClosestFirst } from './closest.ts';
import type { Inventory } from './inventory.ts';
import type { Problem } from './problem.ts';

/** `@salesforce/<kind>/<name>` imports and the metadata type each kind names. */
const SCOPED_IMPORT =
  /(?:from\s+|import\s*\(\s*)['"]@salesforce\/(label|schema|apex|customPermission|messageChannel)\/([^'"]+)['"]/g;
const COMPONENT_IMPORT = /(?:from\s+|import\s*\(\s*)['"]c\/([A-Za-z0-9_]+)['"]/g;
/** Child components used in templates: <c-tethr-text> is the bundle tethrText. */
const CHILD_TAG = /<c-([a-z0-9-]+)/g;

/**
 * References from our Lightning web components to metadata: labels, objects and fields, Apex classes,
 * custom permissions, message channels and other components. Each one missing fails the deploy.
 */
export async function checkLwcReferences(
  components: SourceComponent[],
  inventory: Inventory,
  labels: ReadonlySet<string>,
  projectRoot: string
): Promise<{ checked: number; problems: Problem[] }> {
  const problems: Problem[] = [];
  let checked = 0;
  for (const bundle of components.filter((c) => c.type.name === 'LightningComponentBundle' && c.content)) {
    for (const path of bundle.walkContent().sort()) {
      if (path.includes('/__tests__/') || !/\.(js|html)$/.test(path)) continue;
      const text = await readFile(path, 'utf8');
      const file = relative(projectRoot, path).split('\\').join('/');
      const report = (index: number, message: string): void => {
        problems.push({ file, ...positionAt(text, index), message });
      };
      for (const match of text.matchAll(SCOPED_IMPORT)) {
        checked++;
        const problem = scopedImportProblem(match[1] ?? '', match[2] ?? '', inventory, labels);
        if (problem) report(match.index, `@salesforce/${match[1]}/${match[2]}: ${problem}`);
      }
      const children = [
        ...[...text.matchAll(COMPONENT_IMPORT)].map((m) => ({ index: m.index, name: m[1] ?? '' })),
        ...(path.endsWith('.html')
          ? [...text.matchAll(CHILD_TAG)].map((m) => ({ index: m.index, name: kebabToCamel(m[1] ?? '') }))
          : [])
      ];
      for (const { index, name } of children) {
        checked++;
        if (!inventory.has('LightningComponentBundle', name)) {
          report(
            index,
            `component ${name} is not a Lightning web component of this project (closest first: ${listClosestFirst(name, inventory.names('LightningComponentBundle'), 5)})`
          );
        }
      }
    }
  }
  return { checked, problems };
}

function scopedImportProblem(
  kind: string,
  name: string,
  inventory: Inventory,
  labels: ReadonlySet<string>
): string | undefined {
  switch (kind) {
    case 'label': {
      const label = name.replace(/^c\./, '');
      return labels.has(label)
        ? undefined
        : `no custom label ${label} in CustomLabels (closest first: ${listClosestFirst(label, labels, 5) || 'none'})`;
    }
    case 'schema': {
      const [object = '', field, ...rest] = name.split('.');
      // Object.Relationship__r.Field spans objects: only the first object is checked.
      if (field === undefined || rest.length > 0) return inventory.objectProblem(object);
      return inventory.fieldProblem(object, field);
    }
    case 'apex':
      return inventory.has('ApexClass', name.split('.')[0] ?? '')
        ? undefined
        : `no Apex class ${name.split('.')[0]} in this project`;
    case 'customPermission':
      return inventory.has('CustomPermission', name)
        ? undefined
        : `no custom permission ${name} in this project`;
    case 'messageChannel':
      return inventory.has('LightningMessageChannel', name.replace(/__c$/, ''))
        ? undefined
        : `no Lightning message channel ${name} in this project`;
    default:
      return undefined;
  }
}

function kebabToCamel(tag: string): string {
  return tag.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function positionAt(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
