// The base package must install in an org with Case and nothing else. A `@salesforce/schema/X`
// import in a packaged component is a hard reference to object X (an install dependency), so no
// component may import the schema of a Messaging or legacy Chat object: those object names are
// passed to UI API as plain strings and their absence is a state the page shows.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FEATURE_GATED_OBJECTS } from '../../scripts/contracts/channels.ts';

const LWC_DIR = path.resolve(import.meta.dirname, '../../force-app/main/default/lwc');
const SCHEMA_IMPORT = /['"]@salesforce\/schema\/([A-Za-z0-9_]+)(?:\.[A-Za-z0-9_.]+)?['"]/g;

function featureGatedSchemaImports(source: string): string[] {
  const gated = new Set(Object.values(FEATURE_GATED_OBJECTS).flat());
  return [...source.matchAll(SCHEMA_IMPORT)].map((m) => m[1] ?? '').filter((object) => gated.has(object));
}

async function componentSources(): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(LWC_DIR, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.(js|html)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !file.includes(`${path.sep}__tests__${path.sep}`));
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
}

test('the rule catches a feature-gated schema import', () => {
  assert.deepEqual(
    featureGatedSchemaImports(
      "import STATUS from '@salesforce/schema/MessagingSession.Status';\nimport CASE from '@salesforce/schema/Case';"
    ),
    ['MessagingSession']
  );
});

test('no packaged component imports the schema of a Messaging or legacy Chat object', async () => {
  const offenders = (await componentSources())
    .map(({ file, text }) => ({
      file: path.relative(LWC_DIR, file),
      objects: featureGatedSchemaImports(text)
    }))
    .filter((result) => result.objects.length > 0);
  assert.deepEqual(offenders, []);
});
