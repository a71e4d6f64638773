import { readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lwc from '@lwc/rollup-plugin';
import replaceModule from '@rollup/plugin-replace';
import { rollup } from 'rollup';
import { readCustomLabels } from './labels.ts';
import { salesforceModules } from './salesforce-modules.ts';

export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREVIEW_DIR = path.join(REPOSITORY_ROOT, 'scripts', 'preview');
const COMPONENTS_DIR = path.join(REPOSITORY_ROOT, 'force-app', 'main', 'default', 'lwc');
const LABELS_FILE = path.join(
  REPOSITORY_ROOT,
  'force-app',
  'main',
  'default',
  'labels',
  'CustomLabels.labels-meta.xml'
);
// The package's types describe a CommonJS module; imported as ESM (as here) the default is the plugin.
const replace = replaceModule as unknown as (typeof replaceModule)['default'];
// Platform modules the page uses, answered by fixtures instead of an org (lightning/flow is a
// component, so it is a folder with its template).
const FIXTURE_MODULES: Record<string, string> = {
  empApi: 'empApi.js',
  graphql: 'graphql.js',
  navigation: 'navigation.js',
  uiObjectInfoApi: 'uiObjectInfoApi.js',
  uiRecordApi: 'uiRecordApi.js',
  flow: path.join('flow', 'flow.js')
};
// The preview shows the page as the installed package renders it: components in the tethr
// namespace, so the page derives the namespaced event topic, field and flow names.
export const PREVIEW_NAMESPACE = 'tethr';

export interface PreviewBuild {
  outDir: string;
  entryFile: string;
}

/** Compiles the setup page with the LWC compiler into outDir (ES modules, code-split for icons). */
export async function buildPreview(outDir: string): Promise<PreviewBuild> {
  const components = (await readdir(COMPONENTS_DIR, { withFileTypes: true })).filter((entry) =>
    entry.isDirectory()
  );
  const bundle = await rollup({
    input: path.join(PREVIEW_DIR, 'page', 'main.js'),
    // Base components reference optional modules they guard at run time; they are not our concern.
    onwarn(warning, warn) {
      const inBaseComponents = (warning.id ?? '').includes(`${path.sep}lightning-base-components${path.sep}`);
      if (
        warning.code !== 'CIRCULAR_DEPENDENCY' &&
        warning.code !== 'THIS_IS_UNDEFINED' &&
        !inBaseComponents
      ) {
        warn(warning);
      }
    },
    plugins: [
      replace({
        preventAssignment: true,
        values: { 'process.env.NODE_ENV': JSON.stringify('production'), 'import.meta.env.SSR': 'false' }
      }),
      salesforceModules({
        componentsDir: COMPONENTS_DIR,
        engineFile: createRequire(path.join(REPOSITORY_ROOT, 'node_modules', 'lwc', 'package.json')).resolve(
          '@lwc/engine-dom'
        ),
        labels: await readCustomLabels(LABELS_FILE),
        namespace: PREVIEW_NAMESPACE,
        previewDir: PREVIEW_DIR
      }),
      lwc({
        rootDir: PREVIEW_DIR,
        enableDynamicComponents: true,
        modules: [
          // First match wins: fixtures must come before lightning-base-components.
          ...Object.entries(FIXTURE_MODULES).map(([name, file]) => ({
            name: `lightning/${name}`,
            path: path.join(PREVIEW_DIR, 'fixtures', 'lightning', file)
          })),
          // Our modules import each other as c/..., templates name children <tethr-...>: both
          // specifiers resolve to the same file, so each component is one module.
          ...['c', PREVIEW_NAMESPACE].flatMap((namespace) =>
            components.map((entry) => ({
              name: `${namespace}/${entry.name}`,
              path: path.join(COMPONENTS_DIR, entry.name, `${entry.name}.js`)
            }))
          ),
          { npm: 'lightning-base-components' }
        ]
      })
    ]
  });
  await rm(outDir, { recursive: true, force: true });
  try {
    await bundle.write({
      dir: outDir,
      format: 'es',
      entryFileNames: 'main.js',
      chunkFileNames: 'chunks/[name]-[hash].js'
    });
  } finally {
    await bundle.close();
  }
  return { outDir, entryFile: path.join(outDir, 'main.js') };
}
