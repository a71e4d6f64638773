import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  commandSchemas,
  commandSnapshot,
  readJson,
  schemaFile,
  SCHEMAS_DIR,
  SNAPSHOT_FILE
} from '../../scripts/build/json-contract.ts';

// The --json contract is pinned (command-snapshot.json, schemas/): a change to a command's id,
// flags or result type fails here until `npm run snapshot:update` writes the files again, so the
// change shows up in review as a diff of what scripts and users see.

const UPDATE = 'If the change is intended, run `npm run snapshot:update` and commit the result.';

describe('the --json contract', () => {
  it('command-snapshot.json lists every command with its flags as they are', () => {
    assert.deepEqual(commandSnapshot(), readJson(SNAPSHOT_FILE), `A command or flag changed. ${UPDATE}`);
  });

  it('schemas/ holds the JSON schema of every command result as the result types declare it', () => {
    const schemas = commandSchemas();
    for (const [id, schema] of Object.entries(schemas)) {
      const file = schemaFile(id);
      assert.ok(existsSync(file), `${file} is missing. ${UPDATE}`);
      assert.deepEqual(schema, readJson(file), `The result type of ${id} changed. ${UPDATE}`);
    }
    const expected = Object.keys(schemas)
      .map((id) => schemaFile(id).split('/').at(-1))
      .sort();
    const present = readdirSync(SCHEMAS_DIR)
      .filter((name) => name.endsWith('.json'))
      .sort();
    assert.deepEqual(present, expected, `schemas/ has files for commands that do not exist. ${UPDATE}`);
  });
});
