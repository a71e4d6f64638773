import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'rollup';

const VIRTUAL_PREFIX = '\0tethr-preview:';
const FIXTURE_SCHEME = 'tethr-fixture:';

export interface SalesforceModulesOptions {
  /** Our components' folder: only their @salesforce/* imports are ours to answer. */
  componentsDir: string;
  /** The engine matching the compiler (lwc's own @lwc/engine-dom, not an older hoisted copy). */
  engineFile: string;
  labels: Map<string, string>;
}

/**
 * Answers the imports that only exist inside Salesforce, for our own components only:
 * `@salesforce/label/c.X` becomes the label's English text, `@salesforce/schema/Obj.Field` the
 * `{objectApiName, fieldApiName}` object the platform compiler would produce. The base
 * components' own @salesforce/* imports are left to lightning-base-components' module map.
 * Also serves `tethr-fixture:<component>/<file>.json` to the preview fixtures from the LWC
 * tests' __tests__/data folders, so the preview and the tests share one set of fixture data.
 */
export function salesforceModules(options: SalesforceModulesOptions): Plugin {
  const componentsDir = path.resolve(options.componentsDir);
  return {
    name: 'tethr-salesforce-modules',
    resolveId(source, importer) {
      if (source === 'lwc') {
        return options.engineFile;
      }
      if (source.startsWith(FIXTURE_SCHEME)) {
        return VIRTUAL_PREFIX + source;
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
