import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { parseBundle, readBundle, redactBundle, writeBundle } from '../../scripts/org/credentials-bundle.ts';
import { clientCredentialsBundle, FIXTURE_PASSWORD, FIXTURE_SECRET, passwordBundle } from './fixtures.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-bundle-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errorText(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const e = error as Error & { actions?: string[] };
    return `${e.message} ${(e.actions ?? []).join(' ')}`;
  }
  assert.fail('expected an error');
}

describe('parseBundle', () => {
  it('accepts a complete client credentials bundle', () => {
    const bundle = clientCredentialsBundle('https://acme.my.salesforce.com');
    assert.deepEqual(parseBundle(JSON.parse(JSON.stringify(bundle)), 'test'), bundle);
  });

  it('accepts http only for loopback hosts', () => {
    assert.ok(parseBundle(clientCredentialsBundle('http://127.0.0.1:8080'), 'test'));
    assert.ok(parseBundle(clientCredentialsBundle('http://localhost:1'), 'test'));
    assert.ok(parseBundle(clientCredentialsBundle('http://[::1]:2'), 'test'));
    assert.match(
      errorText(() => parseBundle(clientCredentialsBundle('http://acme.my.salesforce.com'), 'test')),
      /https/
    );
    assert.match(
      errorText(() => parseBundle(clientCredentialsBundle('ftp://127.0.0.1'), 'test')),
      /https/
    );
  });

  it('refuses legacy fields with the client credentials flow', () => {
    const bundle = { ...clientCredentialsBundle('https://a.my.salesforce.com'), password: FIXTURE_PASSWORD };
    const text = errorText(() => parseBundle(bundle, 'test'));
    assert.match(text, /legacy authFlow "password"/);
    assert.ok(!text.includes(FIXTURE_PASSWORD));
  });

  it('requires a password for the legacy flow and never echoes secrets', () => {
    const bundle: Record<string, unknown> = { ...passwordBundle('https://a.my.salesforce.com') };
    delete bundle.password;
    assert.match(
      errorText(() => parseBundle(bundle, 'test')),
      /password is missing/
    );
    const wrongType = { ...clientCredentialsBundle('https://a.my.salesforce.com'), consumerSecret: 42 };
    const text = errorText(() => parseBundle(wrongType, 'test'));
    assert.match(text, /consumerSecret must be a non-empty string/);
    assert.ok(!text.includes('42'));
  });

  it('checks the event topic against the namespace and the channel list', () => {
    const topic = {
      ...clientCredentialsBundle('https://a.my.salesforce.com'),
      eventTopic: '/event/Conversation_Closed__e'
    };
    assert.match(
      errorText(() => parseBundle(topic, 'test')),
      /tethr__Conversation_Closed__e/
    );
    const channels = {
      ...clientCredentialsBundle('https://a.my.salesforce.com'),
      channels: ['Case', 'Email']
    };
    assert.match(
      errorText(() => parseBundle(channels, 'test')),
      /channels may contain only/
    );
    const schema = { ...clientCredentialsBundle('https://a.my.salesforce.com'), schema: 'v0' };
    assert.match(
      errorText(() => parseBundle(schema, 'test')),
      /schema must be/
    );
  });
});

describe('writeBundle and readBundle', () => {
  it('writes mode 0600 and reads the same bundle back', async () => {
    const path = join(dir, 'plain.credentials.json');
    const bundle = clientCredentialsBundle('https://acme.my.salesforce.com');
    await writeBundle(path, bundle);
    assert.equal((await lstat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readBundle(path), bundle);
  });

  it('replaces an existing file atomically and keeps 0600', async () => {
    const path = join(dir, 'replace.credentials.json');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeBundle(path, passwordBundle('https://acme.my.salesforce.com'));
    assert.equal((await lstat(path)).mode & 0o777, 0o600);
    assert.equal((await readBundle(path)).authFlow, 'password');
  });

  it('names the path and the next step when the bundle cannot be written, leaving nothing behind', async () => {
    const notADirectory = join(dir, 'plain-file');
    await writeFile(notADirectory, 'x');
    await assert.rejects(
      writeBundle(
        join(notADirectory, 'b.credentials.json'),
        clientCredentialsBundle('https://a.my.salesforce.com')
      ),
      (error: Error & { name: string; actions?: string[] }) => {
        assert.equal(error.name, 'WriteFailedError');
        assert.match(error.message, /plain-file\/b\.credentials\.json \(E[A-Z]+\)/);
        assert.ok(error.actions?.some((a) => a.includes('directory you can write to')));
        assert.ok(!error.message.includes(FIXTURE_SECRET));
        return true;
      }
    );
  });

  it('refuses to write through a symbolic link', async () => {
    const target = join(dir, 'target.txt');
    await writeFile(target, 'keep');
    const link = join(dir, 'link.credentials.json');
    await symlink(target, link);
    await assert.rejects(
      writeBundle(link, clientCredentialsBundle('https://a.my.salesforce.com')),
      /not a regular file/
    );
    assert.equal(await readFile(target, 'utf8'), 'keep');
  });

  it('encrypts to an age recipient; only the matching identity decrypts', async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const path = join(dir, 'bundle.credentials.json.age');
    const bundle = clientCredentialsBundle('https://acme.my.salesforce.com');
    await writeBundle(path, bundle, { encryptTo: recipient });
    const raw = await readFile(path, 'utf8');
    assert.ok(raw.startsWith('-----BEGIN AGE ENCRYPTED FILE-----'));
    assert.ok(!raw.includes(FIXTURE_SECRET));
    assert.deepEqual(await readBundle(path, { identity }), bundle);
    await assert.rejects(readBundle(path, { identity: await generateIdentity() }), /Cannot decrypt/);
    await assert.rejects(readBundle(path), /no identity was given/);
  });

  it('reads binary age files and takes the identity from TETHR_AGE_IDENTITY_FILE', async () => {
    const { Encrypter } = await import('age-encryption');
    const identity = await generateIdentity();
    const encrypter = new Encrypter();
    encrypter.addRecipient(await identityToRecipient(identity));
    const bundle = passwordBundle('https://acme.my.salesforce.com');
    const path = join(dir, 'binary.age');
    await writeFile(path, await encrypter.encrypt(JSON.stringify(bundle)));
    const identityFile = join(dir, 'key.txt');
    await writeFile(identityFile, `# created: now\n# public key: x\n${identity}\n`, { mode: 0o600 });
    process.env.TETHR_AGE_IDENTITY_FILE = identityFile;
    try {
      assert.deepEqual(await readBundle(path), bundle);
    } finally {
      delete process.env.TETHR_AGE_IDENTITY_FILE;
    }
  });

  it('refuses a bad recipient and invalid JSON without quoting content', async () => {
    await assert.rejects(
      writeBundle(join(dir, 'x.json'), clientCredentialsBundle('https://a.my.salesforce.com'), {
        encryptTo: 'ssh-rsa AAA'
      }),
      /age recipient/
    );
    const path = join(dir, 'broken.json');
    await writeFile(path, `{"consumerSecret": "${FIXTURE_SECRET}",`);
    await assert.rejects(
      readBundle(path),
      (error: Error) => !error.message.includes(FIXTURE_SECRET) && /not valid JSON/.test(error.message)
    );
  });
});

describe('redactBundle', () => {
  it('removes every secret', () => {
    const text = JSON.stringify(redactBundle(passwordBundle('https://a.my.salesforce.com')));
    assert.ok(!text.includes(FIXTURE_SECRET));
    assert.ok(!text.includes(FIXTURE_PASSWORD));
    assert.ok(!text.includes('T0k3n'));
    assert.ok(!text.includes('3MVG9FIXTUREKEY0000000000000000000000'));
    assert.match(text, /"integrationUsername":"tethr.integration@example.com"/);
  });
});
