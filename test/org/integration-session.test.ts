import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { fromConnectionFile, type OrgConnection } from '../../scripts/contracts/org-connection.ts';
import { credentialFor, tethrAppCredentialFromEnv } from '../../scripts/org/app-credential.ts';
import {
  OAuthTokenError,
  openIntegrationSession,
  requestToken
} from '../../scripts/org/integration-session.ts';
import { generateKeyPair } from '../../scripts/org/jwt-certificate.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import {
  PRODUCTION_AUDIENCE,
  SALESFORCE_JWT_ERRORS,
  SALESFORCE_TOKEN_ERRORS,
  SANDBOX_AUDIENCE,
  type FakeAppPolicies,
  type OAuthFailure
} from '../servers/salesforce/oauth.ts';
import { startFakeSalesforce, type FakeSalesforce } from '../servers/salesforce/index.ts';
import {
  FIXTURE_CONSUMER_KEY,
  FIXTURE_SECRET,
  localConnectionFile,
  packagedConnectionFile
} from './fixtures.ts';

const appMessages = loadMessages('app-credential');
const sessionMessages = loadMessages('integration-session');
const USER = 'tethr.integration@example.com';

let fake: FakeSalesforce;
let dir: string;
let keyFile: string;
let otherKeyFile: string;
let certificate: string;
let policies: FakeAppPolicies | undefined;
let permissionSets: string[];

before(async () => {
  fake = await startFakeSalesforce();
  dir = await mkdtemp(join(tmpdir(), 'tethr-session-'));
  const pair = generateKeyPair({ commonName: 'Tethr test', days: 30 });
  const other = generateKeyPair({ commonName: 'Someone else', days: 30 });
  certificate = pair.certificatePem;
  keyFile = join(dir, 'tethr-jwt.key');
  otherKeyFile = join(dir, 'other.key');
  await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 });
  await writeFile(otherKeyFile, other.privateKeyPem, { mode: 0o600 });
});
after(async () => {
  await fake.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.server.clearLog();
  fake.oauth.failures.length = 0;
  fake.oauth.issued.length = 0;
  fake.oauth.clients.length = 0;
  permissionSets = ['Tethr_Integration_Access'];
  policies = {
    clientCredentialsEnabled: true,
    clientCredentialsUser: USER,
    permittedUsers: 'AdminApprovedPreAuthorized',
    permissionSets: ['Tethr_Integration_Access']
  };
  // The packaged app's one consumer, as the publisher (Tethr's Dev Hub) holds it; the subscriber
  // org decides through its own policies who may sign in with it.
  fake.oauth.clients.push({
    consumerKey: FIXTURE_CONSUMER_KEY,
    consumerSecret: FIXTURE_SECRET,
    certificate,
    policies: () => policies
  });
  fake.oauth.users = (username) =>
    username === USER ? { id: '005000000000077AAA', active: true, permissionSets } : undefined;
  fake.oauth.isSandbox = false;
  fake.oauth.orgId = '00D000000000001EAA';
});

function packaged(overrides: Parameters<typeof packagedConnectionFile>[1] = {}): OrgConnection {
  return fromConnectionFile(packagedConnectionFile(fake.url, overrides));
}

function envWith(values: Record<string, string>): NodeJS.ProcessEnv {
  return { TETHR_SF_CONSUMER_KEY: FIXTURE_CONSUMER_KEY, ...values };
}

describe('JWT bearer with the packaged app', () => {
  it('signs iss, sub, aud and exp with Tethr key and posts the assertion to the My Domain', async () => {
    const connection = packaged();
    const app = tethrAppCredentialFromEnv(envWith({ TETHR_SF_JWT_KEY_FILE: keyFile }));
    const token = await requestToken(connection, credentialFor(connection, app));
    assert.match(token.accessToken, /jwt_bearer/);
    assert.equal(token.orgId, '00D000000000001EAA');
    const [request] = fake.server.find('oauth.token');
    const form = new URLSearchParams(request!.body);
    assert.deepEqual([...form.keys()].sort(), ['assertion', 'grant_type']);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = jwt.decode(form.get('assertion')!) as Record<string, unknown>;
    assert.equal(claims.iss, FIXTURE_CONSUMER_KEY);
    assert.equal(claims.sub, USER);
    assert.equal(claims.aud, PRODUCTION_AUDIENCE);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(Number(claims.exp) > now && Number(claims.exp) <= now + 180, `exp ${String(claims.exp)}`);
    // No secret of any kind travels in a JWT sign-in.
    assert.ok(!request!.body.includes(FIXTURE_SECRET));
  });

  it('signs for the documented login host, and falls back to the My Domain when the org refuses it', async () => {
    fake.oauth.failures.push(SALESFORCE_JWT_ERRORS.audience);
    const connection = packaged();
    const app = tethrAppCredentialFromEnv(envWith({ TETHR_SF_JWT_KEY_FILE: keyFile }));
    await requestToken(connection, credentialFor(connection, app));
    const audiences = fake.server
      .find('oauth.token')
      .map((r) => (jwt.decode(new URLSearchParams(r.body).get('assertion')!) as { aud: string }).aud);
    assert.deepEqual(audiences, [PRODUCTION_AUDIENCE, fake.url]);
  });

  it('says the certificate does not match when the key is not the one on the app', async () => {
    const connection = packaged();
    const app = tethrAppCredentialFromEnv(envWith({ TETHR_SF_JWT_KEY_FILE: otherKeyFile }));
    await assert.rejects(requestToken(connection, credentialFor(connection, app)), (error: unknown) => {
      assert.ok(error instanceof OAuthTokenError);
      assert.equal(error.diagnosis.code, 'jwt-certificate-mismatch-packaged');
      assert.ok(error.actions?.some((a) => a.includes('app-certificate deploy')));
      return true;
    });
  });

  it('says the user is not pre-authorized when it lacks the access permission set', async () => {
    permissionSets = [];
    const connection = packaged();
    const app = tethrAppCredentialFromEnv(envWith({ TETHR_SF_JWT_KEY_FILE: keyFile }));
    await assert.rejects(requestToken(connection, credentialFor(connection, app)), (error: unknown) => {
      assert.ok(error instanceof OAuthTokenError);
      assert.equal(error.diagnosis.code, 'jwt-not-pre-authorized');
      return true;
    });
  });

  it('the fake refuses an assertion as Salesforce does: wrong iss, sub, aud, alg or signature, or no valid exp', async () => {
    // What proves our assertions right is only as good as the fake's checks: each claim is checked here.
    const key = await readFile(keyFile, 'utf8');
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: FIXTURE_CONSUMER_KEY, sub: USER, aud: PRODUCTION_AUDIENCE, exp: now + 120 };
    const post = async (assertion: string) => {
      const response = await fetch(`${fake.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion })
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const signed = (claims: Record<string, unknown>) => post(jwt.sign(claims, key, { algorithm: 'RS256' }));
    const refusal = (f: OAuthFailure) => ({
      status: f.status,
      body: { error: f.error, error_description: f.error_description }
    });
    assert.equal((await signed(good)).status, 200);
    assert.deepEqual(
      await signed({ ...good, iss: '3MVG9-another-app' }),
      refusal(SALESFORCE_TOKEN_ERRORS.propagating)
    );
    assert.deepEqual(
      await signed({ ...good, sub: 'someone.else@example.com' }),
      refusal(SALESFORCE_JWT_ERRORS.unknownUser)
    );
    assert.deepEqual(
      await signed({ ...good, aud: 'https://example.com' }),
      refusal(SALESFORCE_JWT_ERRORS.audience)
    );
    // A production org does not take the sandbox login host.
    assert.deepEqual(
      await signed({ ...good, aud: SANDBOX_AUDIENCE }),
      refusal(SALESFORCE_JWT_ERRORS.audience)
    );
    assert.deepEqual(
      await signed({ ...good, exp: now - 1 }),
      refusal(SALESFORCE_JWT_ERRORS.invalidAssertion)
    );
    assert.deepEqual(
      await signed({ iss: good.iss, sub: good.sub, aud: good.aud }),
      refusal(SALESFORCE_JWT_ERRORS.invalidAssertion)
    );
    assert.deepEqual(
      await post(jwt.sign(good, FIXTURE_SECRET, { algorithm: 'HS256' })),
      refusal(SALESFORCE_JWT_ERRORS.invalidAssertion)
    );
    const otherKey = await readFile(otherKeyFile, 'utf8');
    assert.deepEqual(
      await post(jwt.sign(good, otherKey, { algorithm: 'RS256' })),
      refusal(SALESFORCE_JWT_ERRORS.invalidAssertion)
    );
    assert.equal(fake.oauth.issued.length, 1, 'only the good assertion got a token');
  });

  it('refuses a key file that other users can read, naming the fix', async () => {
    const exposed = join(dir, 'exposed.key');
    await writeFile(exposed, 'x', { mode: 0o600 });
    await chmod(exposed, 0o644);
    assert.throws(
      () => tethrAppCredentialFromEnv(envWith({ TETHR_SF_JWT_KEY_FILE: exposed })),
      (error: Error & { actions?: string[] }) => {
        assert.equal(error.message, appMessages.getMessage('error.JwtKeyExposed', [exposed, '0644']));
        assert.ok(error.actions?.[0]?.includes(`chmod 600 ${exposed}`));
        return true;
      }
    );
  });
});

describe('client credentials with the packaged app', () => {
  it('signs in as the run-as user the subscriber policy names', async () => {
    const connection = packaged({ authFlow: 'client_credentials' });
    const app = tethrAppCredentialFromEnv(envWith({ TETHR_SF_CONSUMER_SECRET: FIXTURE_SECRET }));
    const session = openIntegrationSession(connection, { appCredential: app });
    const token = await session.token();
    assert.match(token.accessToken, /client_credentials/);
    assert.equal(fake.oauth.tokenUsers?.get(token.accessToken), USER);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(fake.server.find('oauth.token')[0]!.body)), {
      grant_type: 'client_credentials',
      client_id: FIXTURE_CONSUMER_KEY,
      client_secret: FIXTURE_SECRET
    });
  });

  // Either half of what the flow needs in the subscriber policy, missing: the same diagnosis.
  for (const { title, edit } of [
    {
      title: 'explains that the customer admin must enable the flow and set a run-as user',
      edit: { clientCredentialsUser: undefined }
    },
    {
      title: 'gives the same diagnosis when the subscriber policy has the flow switched off',
      edit: { clientCredentialsEnabled: false }
    }
  ] satisfies { title: string; edit: Partial<FakeAppPolicies> }[]) {
    it(title, async () => {
      policies = { ...policies!, ...edit };
      const connection = packaged({ authFlow: 'client_credentials' });
      const app = tethrAppCredentialFromEnv(envWith({ TETHR_SF_CONSUMER_SECRET: FIXTURE_SECRET }));
      await assert.rejects(
        openIntegrationSession(connection, { appCredential: app }).token(),
        (error: unknown) => {
          assert.ok(error instanceof OAuthTokenError);
          assert.equal(error.diagnosis.code, 'packaged-no-run-as-user');
          assert.ok(!error.message.includes(FIXTURE_SECRET));
          return true;
        }
      );
    });
  }

  it('names the missing variable instead of signing in without a credential', () => {
    const connection = packaged({ authFlow: 'client_credentials' });
    assert.throws(
      () => credentialFor(connection, undefined),
      (error: Error) => {
        assert.equal(
          error.message,
          appMessages.getMessage('error.PackagedNeedsAppCredential', [
            '00D000000000001EAA',
            'client_credentials'
          ])
        );
        return true;
      }
    );
    assert.throws(
      () => credentialFor(connection, { consumerKey: FIXTURE_CONSUMER_KEY }),
      (error: Error) =>
        error.message === appMessages.getMessage('error.ClientSecretMissing', ['00D000000000001EAA'])
    );
    assert.throws(
      () => tethrAppCredentialFromEnv({ TETHR_SF_CONSUMER_KEY: FIXTURE_CONSUMER_KEY }),
      (error: Error) => error.message === appMessages.getMessage('error.AppSecretMissing')
    );
  });
});

describe('local and refreshed orgs', () => {
  it('uses the org own consumer from a local connection file, without Tethr variables', async () => {
    const connection = fromConnectionFile(
      localConnectionFile(fake.url, { consumerKey: FIXTURE_CONSUMER_KEY })
    );
    const session = openIntegrationSession(connection, { appCredential: undefined });
    assert.match((await session.token()).accessToken, /client_credentials/);
  });

  it('stops when the org behind the My Domain is not the one in the file (sandbox refresh)', async () => {
    fake.oauth.orgId = '00D000000000999EAA';
    const connection = packaged({ isSandbox: true });
    const app = tethrAppCredentialFromEnv(envWith({ TETHR_SF_JWT_KEY_FILE: keyFile }));
    fake.oauth.isSandbox = true;
    await assert.rejects(requestToken(connection, credentialFor(connection, app)), (error: Error) => {
      assert.equal(
        error.message,
        sessionMessages.getMessage('error.OrgIdChanged', [
          fake.url,
          '00D000000000999EAA',
          '00D000000000001EAA'
        ])
      );
      return true;
    });
  });
});
