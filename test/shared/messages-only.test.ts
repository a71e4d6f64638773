import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

// Issue 12: user-facing errors are messages in messages/<area>.md, raised with
// `messages.createError(...)` (scripts/shared/messages.ts). An inline `new SfError('...')` holds
// English the tests cannot compare against the messages and the sf reader rewrite never sees.

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

it('no module raises an SfError with inline text: every error comes from messages/', () => {
  const offenders = sources(SCRIPTS).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) =>
        /\bnew SfError\(/.test(line) ? [`scripts/${relative(SCRIPTS, file)}:${index + 1}`] : []
      )
  );
  assert.deepEqual(offenders, [], 'raise these with loadMessages(...).createError(...) instead');
});
