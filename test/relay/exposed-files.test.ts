import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { readConnection, writeConnectionFile } from '../../scripts/org/connection-files.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { localConnectionFile } from '../org/fixtures.ts';
import { RelayEnv } from './helpers/relay-env.ts';

// Issue 12, defect 3: after `chmod 644` on the credentials, doctor and relay ran without a word.
// A readable file that holds secrets, and a readable age identity that decrypts one, are refused
// as ssh refuses a readable private key; the relay stops before it signs in or subscribes.

const messages = loadMessages('connection-files');

let env: RelayEnv;
before(async () => {
  env = await new RelayEnv().start();
});
after(async () => {
  await env.stop();
});

describe('files others can read', () => {
  it('the relay refuses a credentials bundle that others can read, before signing in', async () => {
    await chmod(env.bundlePath, 0o644);
    try {
      const relay = env.spawn('relay', env.relayArgs(['--mode', 'events', '--sink', 'ndjson:-']));
      assert.equal(await relay.exited, 1);
      assert.ok(
        relay.stderr.includes(messages.getMessage('error.SecretFileExposed', [env.bundlePath, '0644'])),
        relay.stderr
      );
      assert.ok(relay.stderr.includes(`chmod 600 ${env.bundlePath}`), relay.stderr);
      assert.equal(env.pubsub.fetchRequests.length, 0, 'never subscribed');
    } finally {
      await chmod(env.bundlePath, 0o600);
    }
  });

  it('an age identity file that others can read is not used', async () => {
    const identity = await generateIdentity();
    const file = join(env.dir, 'local.connection.json.age');
    await writeConnectionFile(file, localConnectionFile('https://acme.my.salesforce.com'), {
      encryptTo: await identityToRecipient(identity)
    });
    const identityFile = join(env.dir, 'identity.txt');
    await writeFile(identityFile, `# created: now\n${identity}\n`, { mode: 0o644 });
    await chmod(identityFile, 0o644);
    await assert.rejects(
      readConnection(file, { env: { TETHR_AGE_IDENTITY_FILE: identityFile } }),
      (error: Error & { actions?: string[] }) => {
        assert.equal(error.message, messages.getMessage('error.AgeIdentityExposed', [identityFile, '0644']));
        assert.deepEqual(
          error.actions,
          messages.getMessages('error.AgeIdentityExposed.actions', [identityFile])
        );
        return true;
      }
    );
    await chmod(identityFile, 0o600);
    const connection = await readConnection(file, { env: { TETHR_AGE_IDENTITY_FILE: identityFile } });
    assert.equal(connection.app, 'local');
  });
});
