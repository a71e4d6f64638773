// ESLint 9 flat config for the whole repository.
// Two worlds live here: the LWC (JavaScript checked by Salesforce's own rules, because the
// platform compiler enforces many of them at deploy time) and the TypeScript tooling.
import lwcConfig from '@salesforce/eslint-config-lwc';
import importPlugin from 'eslint-plugin-import';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const LWC_FILES = [
  'force-app/**/lwc/**/*.js',
  'force-app/test/jest-mocks/**/*.js',
  // The preview's stand-in components (lightning/flow): a folder with a template, like an LWC.
  'scripts/preview/fixtures/lightning/*/*.js'
];
const TYPESCRIPT_FILES = ['scripts/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'bin/**/*.{js,ts}'];

// The tooling's one-way dependencies (README "Folder tree"): each folder may import only the
// folders listed for it (and itself). contracts and shared are the leaves everything may use.
const MAY_IMPORT = {
  'scripts/shared': [],
  'scripts/contracts': ['shared'],
  'scripts/org': ['contracts', 'shared'],
  'scripts/tethr': ['contracts', 'shared'],
  'scripts/validate': ['contracts', 'shared'],
  'scripts/relay': ['org', 'tethr', 'contracts', 'shared']
};
const ARCHITECTURE_ZONES = [
  ...Object.entries(MAY_IMPORT).map(([target, allowed]) => ({
    target: `./${target}`,
    from: './scripts',
    except: [target.slice('scripts/'.length), ...allowed].map((dir) => `./${dir}`),
    message: allowed.length
      ? `${target} may import only ${allowed.join(', ')} of ours (README "Folder tree").`
      : `${target} imports nothing of ours (README "Folder tree").`
  })),
  {
    target: './scripts/commands',
    from: './scripts/preview',
    message: 'Commands do not use the setup page preview (a development server).'
  }
];

export default [
  {
    ignores: ['node_modules/**', 'coverage/**', 'artifacts/**', '.sf/**', '.sfdx/**', 'lib/**']
  },
  ...lwcConfig.configs.recommended.map((config) => ({ ...config, files: LWC_FILES })),
  {
    files: ['force-app/**/lwc/**/__tests__/**/*.js', 'force-app/test/jest-mocks/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      // Tests drive wire adapters directly (emit/error) through sfdx-lwc-jest's test adapters.
      '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off'
    }
  },
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: TYPESCRIPT_FILES })),
  {
    files: TYPESCRIPT_FILES,
    languageOptions: { globals: { ...globals.node } }
  },
  {
    files: ['scripts/**/*.ts'],
    plugins: { import: importPlugin },
    rules: { 'import/no-restricted-paths': ['error', { zones: ARCHITECTURE_ZONES }] }
  },
  {
    // The preview page's entry and its fixture stand-ins for lightning/* run in the browser.
    files: ['scripts/preview/page/**/*.js', 'scripts/preview/fixtures/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
    rules: { 'no-undef': 'error', 'no-unused-vars': 'error' }
  },
  {
    // Root configuration files run on Node as ES modules.
    files: ['*.js', '*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } }
  }
];
