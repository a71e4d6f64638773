import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TethrStatusAnswerError, TethrStatusClient } from '../../scripts/tethr/capture-status.ts';
import { TethrClient } from '../../scripts/tethr/tethr-client.ts';
import { TethrHttpError } from '../../scripts/tethr/tethr-errors.ts';
import { FakeTethrServer } from '../servers/tethr/tethr-server.ts';

// The status API client against the local Tethr, which answers in the SDK's shapes
// (SessionStatusRequest / SessionStatusResponse / SessionStatus, camelCase, enum names).

let tethr: FakeTethrServer;
let statusClient: TethrStatusClient;
const stored = { path: '/capture/v2/case', body: {}, posts: 1 };

before(async () => {
  tethr = await new FakeTethrServer().start();
});
after(async () => {
  await tethr.stop();
});
beforeEach(() => {
  tethr.captures.clear();
  tethr.sessionStatuses.clear();
  tethr.omitFromStatus.clear();
  tethr.statusBatches.length = 0;
  tethr.maxStatusBatch = undefined;
  statusClient = new TethrStatusClient(
    new TethrClient({
      baseUrl: new URL(tethr.url),
      clientId: tethr.clientId,
      clientSecret: tethr.clientSecret
    })
  );
});

describe('POST /capture/v2/status', () => {
  it('sends {sessionIds} and reads every status the SDK names; left out means Unknown', async () => {
    tethr.captures.set('00D000000000001:500A', stored);
    tethr.captures.set('00D000000000001:500B', stored);
    tethr.sessionStatuses.set('00D000000000001:500B', 'InProgress');
    tethr.sessionStatuses.set('00D000000000001:500C', 'Concluded');
    tethr.sessionStatuses.set('00D000000000001:500D', 'Excluded');
    tethr.omitFromStatus.add('00D000000000001:500F');
    const ids = ['A', 'B', 'C', 'D', 'E', 'F'].map((x) => `00D000000000001:500${x}`);
    const before = tethr.statusRequests;
    const statuses = await statusClient.statuses(ids);
    assert.equal(tethr.statusRequests - before, 1);
    assert.deepEqual(tethr.statusBatches, [ids]);
    assert.deepEqual(
      ids.map((id) => statuses.get(id)?.status),
      ['Complete', 'InProgress', 'Concluded', 'Excluded', 'NotFound', 'Unknown']
    );
    assert.equal(statuses.get(ids[0]!)!.id, `interaction-${ids[0]}`);
    assert.equal(statusClient.calls, 1);
  });

  it('fetches a new token once when Tethr answers 401', async () => {
    await statusClient.statuses(['x']);
    const tokens = tethr.tokenRequests;
    tethr.revokeTokens();
    const statuses = await statusClient.statuses(['x']);
    assert.equal(statuses.get('x')!.status, 'NotFound');
    assert.equal(tethr.tokenRequests, tokens + 1);
  });

  it('passes a refusal on as TethrHttpError with its status, for the caller to classify', async () => {
    tethr.maxStatusBatch = 2;
    await assert.rejects(statusClient.statuses(['a', 'b', 'c']), (error: unknown) => {
      assert.ok(error instanceof TethrHttpError);
      assert.equal(error.status, 400);
      assert.match(error.detail, /at most 2 sessionIds/);
      return true;
    });
    tethr.statusFaults.push({ status: 503 });
    await assert.rejects(
      statusClient.statuses(['a']),
      (error: unknown) => (error as TethrHttpError).status === 503
    );
  });
});

describe('GET /capture/v2/status/{sessionId}', () => {
  it('reads one session, its id escaped in the path', async () => {
    const id = '00D000000000001:500A';
    tethr.captures.set(id, stored);
    const lookups = tethr.statusLookups;
    assert.deepEqual(await statusClient.status(id), {
      status: 'Complete',
      id: `interaction-${id}`,
      sessionId: id
    });
    assert.equal(tethr.statusLookups, lookups + 1);
  });

  it('reads a 404 as NotFound (the SDK turns it into KeyNotFoundException)', async () => {
    assert.deepEqual(await statusClient.status('nobody'), {
      status: 'NotFound',
      id: '',
      sessionId: 'nobody'
    });
  });
});

describe('the local Tethr refuses malformed status requests', () => {
  async function post(body: string): Promise<{ status: number; json: { problems?: string[] } }> {
    const token = (await (
      await fetch(`${tethr.url}/Token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: tethr.clientId,
          client_secret: tethr.clientSecret
        })
      })
    ).json()) as { access_token: string };
    const response = await fetch(`${tethr.url}/capture/v2/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body
    });
    return { status: response.status, json: (await response.json()) as { problems?: string[] } };
  }

  it('answers 400 to PascalCase, a non-array, empty ids and non-JSON', async () => {
    assert.deepEqual((await post('{"SessionIds":["a"]}')).json.problems, ['sessionIds is required']);
    assert.equal((await post('{"sessionIds":"a"}')).status, 400);
    assert.deepEqual((await post('{"sessionIds":["a","",3]}')).json.problems, [
      'sessionIds[1] must be a non-empty string',
      'sessionIds[2] must be a non-empty string'
    ]);
    assert.equal((await post('sessionIds=a')).status, 400);
    assert.equal((await post('{"sessionIds":[]}')).status, 200);
  });

  it('answers 401 without a valid bearer', async () => {
    const response = await fetch(`${tethr.url}/capture/v2/status`, {
      method: 'POST',
      body: '{"sessionIds":[]}'
    });
    assert.equal(response.status, 401);
  });
});

describe('an answer that is not the SDK shape fails loudly', () => {
  let odd: ReturnType<typeof createServer>;
  let answer = '';
  let client: TethrStatusClient;
  before(async () => {
    odd = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/Token' ? '{"access_token":"t","token_type":"bearer","expires_in":1799}' : answer);
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    const { port } = odd.address() as AddressInfo;
    client = new TethrStatusClient(
      new TethrClient({ baseUrl: new URL(`http://127.0.0.1:${port}`), clientId: 'c', clientSecret: 's' })
    );
  });
  after(() => new Promise<void>((resolve) => odd.close(() => resolve())));

  it('refuses an unknown status, a missing sessions array and non-JSON', async () => {
    answer = '{"sessions":[{"sessionId":"a","status":"Archived","id":"1"}]}';
    await assert.rejects(client.statuses(['a']), TethrStatusAnswerError);
    answer = '{"Sessions":[]}';
    await assert.rejects(client.statuses(['a']), /no "sessions" array/);
    answer = '<html>';
    await assert.rejects(client.statuses(['a']), /not JSON/);
  });

  it('accepts what System.Text.Json reads: names in any case, and enum numbers', async () => {
    answer =
      '{"sessions":[{"sessionId":"a","status":"complete"},{"sessionId":"b","status":4,"durationSec":12}]}';
    const statuses = await client.statuses(['a', 'b']);
    assert.equal(statuses.get('a')!.status, 'Complete');
    assert.deepEqual(statuses.get('b'), { status: 'NotFound', id: '', sessionId: 'b', durationSec: 12 });
  });
});
