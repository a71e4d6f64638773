import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'rollup';

const VIRTUAL_PREFIX = '\0tethr-preview:';
const FIXTURE_SCHEME = 'tethr-fixture:';
const JSON_SCHEME = 'json:';

export interface SalesforceModulesOptions {
  /** Our components' folder: only their @salesforce/* imports are ours to answer. */
  componentsDir: string;
  /** The engine matching the compiler (lwc's own @lwc/engine-dom, not an older hoisted copy). */
  engineFile: string;
  labels: Map<string, string>;
  /** The namespace the page renders in: our templates' <c-x> children become <namespace-x>. */
  namespace: string;
  /** The preview's own folder: its fixtures may import JSON (the list of page states). */
  previewDir: string;
}

/**
 * Answers the imports that only exist inside Salesforce, for our own components only:
 * `@salesforce/label/c.X` becomes the label's English text, `@salesforce/schema/Obj.Field` the
 * `{objectApiName, fieldApiName}` object the platform compiler would produce. The base
 * components' own @salesforce/* imports are left to lightning-base-components' module map.
 * Also serves `tethr-fixture:<component>/<file>.json` to the preview fixtures from the LWC
 * tests' __tests__/data folders, so the preview and the tests share one set of fixture data, and
 * JSON files of the preview itself as modules. Our templates' child tags are renamed from the
 * default `c` namespace to the package's, as the platform does for an installed package.
 */
export function salesforceModules(options: SalesforceModulesOptions): Plugin {
  const componentsDir = path.resolve(options.componentsDir);
  const previewDir = path.resolve(options.previewDir);
  const childTag = /(<\/?)c-(?=[a-z])/g;
  return {
    name: 'tethr-salesforce-modules',
    transform(code, id) {
      if (id.startsWith(componentsDir + path.sep) && id.endsWith('.html')) {
        return { code: code.replace(childTag, `$1${options.namespace}-`), map: null };
      }
      return null;
    },
    resolveId(source, importer) {
      if (source === 'lwc') {
        return options.engineFile;
      }
      if (source.startsWith(FIXTURE_SCHEME)) {
        return VIRTUAL_PREFIX + source;
      }
      // The preview's own JSON (states.json), as a virtual module the LWC compiler leaves alone.
      if (
        source.endsWith('.json') &&
        importer !== undefined &&
        path.resolve(importer).startsWith(previewDir)
      ) {
        return VIRTUAL_PREFIX + JSON_SCHEME + path.resolve(path.dirname(importer), source);
      }
      const ours = importer !== undefined && path.resolve(importer).startsWith(componentsDir + path.sep);
      if (ours && (source.startsWith('@salesforce/label/') || source.startsWith('@salesforce/schema/'))) {
        return VIRTUAL_PREFIX + source;
      }
      return null;
    },
    async load(id) {
      if (!id.startsWith(VIRTUAL_PREFIX)) {
        return null;
      }
      const source = id.slice(VIRTUAL_PREFIX.length);
      if (source.startsWith(JSON_SCHEME)) {
        return `export default ${await readFile(source.slice(JSON_SCHEME.length), 'utf8')};`;
      }
      if (source.startsWith(FIXTURE_SCHEME)) {
        const [component, file] = source.slice(FIXTURE_SCHEME.length).split('/');
        if (!component || !file) {
          this.error(`Fixture import ${source} must look like tethr-fixture:<component>/<file>.json`);
        }
        const json = await readFile(path.join(componentsDir, component, '__tests__', 'data', file), 'utf8');
        return `export default ${json};`;
      }
      if (source.startsWith('@salesforce/label/')) {
        const name = source.slice('@salesforce/label/'.length).replace(/^c\./, '');
        const value = options.labels.get(name);
        if (value === undefined) {
          this.error(`Custom label ${name} is imported but missing from CustomLabels.labels-meta.xml`);
        }
        return `export default ${JSON.stringify(value)};`;
      }
      const [objectApiName, fieldApiName] = source.slice('@salesforce/schema/'.length).split('.');
      const value = fieldApiName === undefined ? { objectApiName } : { objectApiName, fieldApiName };
      return `export default ${JSON.stringify(value)};`;
    }
  };
}
