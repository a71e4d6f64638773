import { join } from 'node:path';

// One state directory per working directory; file names carry the org id so several orgs can
// run side by side without sharing a checkpoint. The checkpoint is not a JSON document (two
// padded slots, see checkpoint-store.ts), so its name does not end in .json.
export function defaultCheckpointPath(orgId: string): string {
  return join('.tethr', `relay-${orgId}.checkpoint`);
}

/** The default name before it lost its misleading `.json`; a relay that finds it renames it. */
export function legacyCheckpointPath(orgId: string): string {
  return join('.tethr', `relay-${orgId}.checkpoint.json`);
}

export function defaultDeadLetterPath(stateFile: string): string {
  return stateFile.replace(/(\.checkpoint|\.cursor)?(\.json)?$/, '') + '.dead-letters.ndjson';
}

export function defaultCursorPath(orgId: string): string {
  return join('.tethr', `backfill-${orgId}.cursor.json`);
}
