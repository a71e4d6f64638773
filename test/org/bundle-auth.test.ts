import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BundleSession, OAuthTokenError, requestToken } from '../../scripts/org/bundle-auth.ts';
import {
  SALESFORCE_TOKEN_ERRORS,
  startFakeSalesforce,
  type FakeSalesforce
} from '../servers/salesforce/index.ts';
import {
  clientCredentialsBundle,
  FIXTURE_PASSWORD,
  FIXTURE_SECRET,
  FIXTURE_TOKEN,
  passwordBundle
} from './fixtures.ts';

let fake: FakeSalesforce;
before(async () => {
  fake = await startFakeSalesforce();
});
after(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.server.clearLog();
  fake.oauth.failures.length = 0;
  fake.oauth.clients.length = 0;
  fake.oauth.issued.length = 0;
});

describe('requestToken', () => {
  it('posts the client credentials grant to the My Domain token endpoint', async () => {
    const bundle = clientCredentialsBundle(fake.url);
    fake.oauth.clients.push({ consumerKey: bundle.consumerKey, consumerSecret: FIXTURE_SECRET });
    const token = await requestToken(bundle);
    assert.equal(token.instanceUrl, fake.url);
    assert.match(token.accessToken, /client_credentials/);
    const [request] = fake.server.find('oauth.token');
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request?.body)), {
      grant_type: 'client_credentials',
      client_id: bundle.consumerKey,
      client_secret: FIXTURE_SECRET
    });
  });

  it('sends username and password+token for the legacy flow', async () => {
    const bundle = passwordBundle(fake.url);
    fake.oauth.clients.push({
      consumerKey: bundle.consumerKey,
      consumerSecret: FIXTURE_SECRET,
      username: bundle.integrationUsername,
      password: `${FIXTURE_PASSWORD}${FIXTURE_TOKEN}`
    });
    await requestToken(bundle);
    const form = new URLSearchParams(fake.server.find('oauth.token')[0]?.body);
    assert.equal(form.get('grant_type'), 'password');
    assert.equal(form.get('username'), bundle.integrationUsername);
    assert.equal(form.get('password'), `${FIXTURE_PASSWORD}${FIXTURE_TOKEN}`);
  });

  const cases: [keyof typeof SALESFORCE_TOKEN_ERRORS, 'client_credentials' | 'password', string, boolean][] =
    [
      ['propagating', 'client_credentials', 'app-propagating', true],
      ['wrongSecret', 'client_credentials', 'wrong-secret', false],
      ['notApproved', 'client_credentials', 'not-admin-approved', false],
      ['ipRestricted', 'client_credentials', 'ip-restricted', false],
      ['wrongDomain', 'client_credentials', 'wrong-domain', false],
      ['noRunAsUser', 'client_credentials', 'no-run-as-user', false],
      ['authenticationFailure', 'password', 'password-flow-failed', false],
      ['grantNotSupported', 'password', 'password-flow-blocked', false],
      ['passwordExpired', 'password', 'password-expired', false]
    ];
  for (const [name, flow, code, retryable] of cases) {
    it(`maps ${name} to ${code}`, async () => {
      fake.oauth.failures.push(SALESFORCE_TOKEN_ERRORS[name]);
      const bundle = flow === 'password' ? passwordBundle(fake.url) : clientCredentialsBundle(fake.url);
      await assert.rejects(requestToken(bundle), (error: unknown) => {
        assert.ok(error instanceof OAuthTokenError);
        assert.equal(error.diagnosis.code, code);
        assert.equal(error.diagnosis.retryable, retryable);
        assert.equal(error.error, SALESFORCE_TOKEN_ERRORS[name].error);
        assert.ok(error.actions && error.actions.length > 0);
        assert.ok(!error.message.includes(FIXTURE_SECRET) && !error.message.includes(FIXTURE_PASSWORD));
        return true;
      });
    });
  }
});

describe('BundleSession', () => {
  it('reuses one token and fetches a new one once on 401', async () => {
    const bundle = clientCredentialsBundle(fake.url);
    fake.oauth.clients.push({ consumerKey: bundle.consumerKey, consumerSecret: FIXTURE_SECRET });
    let calls = 0;
    fake.server.route('GET', '/services/data/v66.0/ping', ({ request }) => {
      calls += 1;
      return calls === 2
        ? { status: 401, json: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] }
        : { json: { ok: request.headers.authorization } };
    });
    const session = new BundleSession(bundle);
    const first = await session.request<{ ok: string }>('/services/data/v66.0/ping');
    const second = await session.request<{ ok: string }>('/services/data/v66.0/ping');
    assert.equal(first.ok, 'Bearer 00DFAKE!client_credentials.1');
    assert.equal(second.ok, 'Bearer 00DFAKE!client_credentials.2');
    assert.equal(fake.server.find('oauth.token').length, 2);
  });

  it('raises Salesforce REST errors with the error code', async () => {
    const bundle = clientCredentialsBundle(fake.url);
    fake.oauth.clients.push({ consumerKey: bundle.consumerKey, consumerSecret: FIXTURE_SECRET });
    const session = new BundleSession(bundle);
    await assert.rejects(
      session.request('/services/data/v66.0/query?q=SELECT+Id+FROM'),
      /HTTP 400 MALFORMED_QUERY/
    );
    await assert.rejects(session.request('https://evil.example/x'), /must start with a single/);
  });

  it('does not cache a failed token request', async () => {
    const bundle = clientCredentialsBundle(fake.url);
    fake.oauth.clients.push({ consumerKey: bundle.consumerKey, consumerSecret: FIXTURE_SECRET });
    fake.oauth.failures.push(SALESFORCE_TOKEN_ERRORS.propagating);
    const session = new BundleSession(bundle);
    await assert.rejects(session.token(), OAuthTokenError);
    assert.ok((await session.token()).accessToken);
  });
});
