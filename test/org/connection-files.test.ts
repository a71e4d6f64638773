import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { parseConnectionFile } from '../../scripts/contracts/connection-file.ts';
import { readConnection, writeConnectionFile } from '../../scripts/org/connection-files.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import {
  clientCredentialsBundle,
  FIXTURE_SECRET,
  localConnectionFile,
  packagedConnectionFile
} from './fixtures.ts';

const messages = loadMessages('connection-files');
const fileMessages = loadMessages('connection-file');
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-conn-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('connection files', () => {
  it('reads a packaged connection file: no secrets, so a readable file is fine', async () => {
    const path = join(dir, 'packaged.json');
    await writeConnectionFile(path, packagedConnectionFile('https://acme.my.salesforce.com'));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    await chmod(path, 0o644);
    const connection = await readConnection(path);
    assert.equal(connection.app, 'packaged');
    assert.equal(connection.eventTopic, '/event/tethr__Conversation_Closed__e');
    assert.equal(connection.fileSecrets, undefined);
  });

  it('refuses a plain file with secrets that others can read, as ssh does', async () => {
    for (const [name, content] of [
      ['local.json', localConnectionFile('https://acme.my.salesforce.com')],
      ['bundle.json', clientCredentialsBundle('https://acme.my.salesforce.com')]
    ] as const) {
      const path = join(dir, name);
      await writeConnectionFile(path, content);
      await chmod(path, 0o640);
      await assert.rejects(readConnection(path), (error: Error & { actions?: string[] }) => {
        assert.equal(error.message, messages.getMessage('error.SecretFileExposed', [path, '0640']));
        assert.ok(error.actions?.[0]?.includes(`chmod 600 ${path}`));
        assert.ok(!error.message.includes(FIXTURE_SECRET));
        return true;
      });
      await chmod(path, 0o600);
      assert.equal((await readConnection(path)).fileSecrets?.consumerSecret, FIXTURE_SECRET);
    }
  });

  it('reads an age-encrypted local file even when it is readable, with the identity', async () => {
    const identity = await generateIdentity();
    const path = join(dir, 'local.json.age');
    await writeConnectionFile(path, localConnectionFile('https://acme.my.salesforce.com'), {
      encryptTo: await identityToRecipient(identity)
    });
    assert.ok(!(await readFile(path, 'utf8')).includes(FIXTURE_SECRET));
    await chmod(path, 0o644);
    const connection = await readConnection(path, { env: { TETHR_AGE_IDENTITY: identity } });
    assert.equal(connection.app, 'local');
  });

  it('reports every problem of a hand-edited file at once and never quotes a secret', async () => {
    const path = join(dir, 'broken.json');
    const broken = {
      ...packagedConnectionFile('https://acme.my.salesforce.com'),
      channels: ['Case', 'Case'],
      isSandbox: 'no',
      consumerSecret: FIXTURE_SECRET
    };
    await writeFile(path, JSON.stringify(broken), { mode: 0o600 });
    await assert.rejects(readConnection(path), (error: Error) => {
      assert.ok(error.message.includes(fileMessages.getMessage('problem.repeatedChannel')));
      assert.ok(
        error.message.includes(
          fileMessages.getMessage('problem.wrongType', ['isSandbox', 'true or false', 'a string'])
        )
      );
      assert.ok(
        error.message.includes(fileMessages.getMessage('problem.secretInPackaged', ['consumerSecret']))
      );
      assert.ok(!error.message.includes(FIXTURE_SECRET));
      return true;
    });
  });

  it('accepts exactly the fields of each app variant', () => {
    const url = 'https://acme.my.salesforce.com';
    assert.throws(
      () => parseConnectionFile({ ...localConnectionFile(url), password: 'x' }, 'f'),
      /unknown field/
    );
    assert.throws(
      () => parseConnectionFile({ ...packagedConnectionFile(url), authFlow: 'password' }, 'f'),
      /authFlow for app "packaged"/
    );
    const local = parseConnectionFile(localConnectionFile(url), 'f');
    assert.equal(local.app, 'local');
  });
});
