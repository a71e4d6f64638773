import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { DeadLetterFiles } from '../../scripts/relay/verify/dead-letter-source.ts';

// Which closed conversations were dead-lettered locally: letters name their record by the
// Salesforce id (18 or 15 characters) or by the Tethr session id; files may have torn lines.

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-dead-letters-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('matches letters by record id, its 15-character form and the session id, newest first', async () => {
  const relay = join(dir, 'relay.ndjson');
  const backfill = join(dir, 'backfill.ndjson');
  const line = (letter: Record<string, unknown>) => `${JSON.stringify(letter)}\n`;
  await writeFile(
    relay,
    line({
      at: '2026-11-30T10:00:00.000Z',
      reason: 'record-not-found',
      recordId: '500000000000001AAA',
      detail: 'x'
    }) +
      line({ at: '2026-11-30T10:00:01.000Z', reason: 'undecodable-event', recordId: null, payload: 'AAAA' }) +
      line({ at: '2026-11-30T10:00:02.000Z', reason: 'fetch-rejected', recordId: '500000000000002' }) +
      '{"at":"2026-11-30T10:00:03.000Z","reason":"tethr-rej' // torn by a crash
  );
  await writeFile(
    backfill,
    line({
      at: '2026-12-01T08:00:00.000Z',
      reason: 'tethr-rejected',
      recordId: '00D000000000001:500000000000003AAA'
    }) + line({ at: '2026-12-01T09:00:00.000Z', reason: 'tethr-rejected', recordId: '500000000000001AAA' })
  );
  const source = new DeadLetterFiles([relay, backfill, join(dir, 'absent.ndjson')]);
  const letters = await source.lettersFor(
    ['500000000000001AAA', '500000000000002AAA', '500000000000003AAA', '500000000000004AAA'].map(
      (recordId) => ({
        recordId,
        sessionId: `00D000000000001:${recordId}`
      })
    )
  );
  assert.deepEqual(Object.fromEntries(letters), {
    '500000000000001AAA': { reason: 'tethr-rejected', at: '2026-12-01T09:00:00.000Z' },
    '500000000000002AAA': { reason: 'fetch-rejected', at: '2026-11-30T10:00:02.000Z' },
    '500000000000003AAA': { reason: 'tethr-rejected', at: '2026-12-01T08:00:00.000Z' }
  });
  assert.deepEqual(source.describe(), [
    { source: relay, found: true },
    { source: backfill, found: true },
    { source: join(dir, 'absent.ndjson'), found: false }
  ]);
});
