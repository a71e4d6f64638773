import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caseCapture } from '../../scripts/tethr/capture-model.ts';
import { TethrClient } from '../../scripts/tethr/tethr-client.ts';
import {
  classifyTethrFailure,
  TethrHttpError,
  TethrUnavailableError
} from '../../scripts/tethr/tethr-errors.ts';
import { FakeTethrServer } from '../servers/tethr/tethr-server.ts';

const capture = (sessionId: string) =>
  caseCapture({
    sessionId,
    utcStart: '2026-11-25T10:00:00.000Z',
    utcEnd: '2026-11-25T11:00:00.000Z',
    participants: [{ referenceId: 'c1', type: 'Customer' }],
    messages: [
      { utcTimestamp: '2026-11-25T10:30:00.000Z', senderReferenceId: 'c1', channel: 'email', content: 'hi' }
    ]
  });

describe('TethrClient', () => {
  let tethr: FakeTethrServer;
  before(async () => {
    tethr = await new FakeTethrServer().start();
  });
  after(async () => {
    await tethr.stop();
  });
  const client = () =>
    new TethrClient({
      baseUrl: new URL(tethr.url),
      clientId: tethr.clientId,
      clientSecret: tethr.clientSecret,
      timeoutMs: 300
    });

  it('gets one bearer token and reuses it', async () => {
    const c = client();
    const before = tethr.tokenRequests;
    assert.deepEqual(await c.capture(capture('500A')), { id: 'interaction-500A' });
    await c.capture(capture('500B'));
    assert.equal(tethr.tokenRequests - before, 1);
  });

  it('fetches a new token once when Tethr answers 401', async () => {
    const c = client();
    await c.capture(capture('500C'));
    tethr.revokeTokens();
    const before = tethr.tokenRequests;
    await c.capture(capture('500D'));
    assert.equal(tethr.tokenRequests - before, 1);
  });

  it('classifies failures: 5xx/429/timeouts retry, other 4xx reject', async () => {
    tethr.faults.push({ status: 503 });
    const error = await client()
      .capture(capture('500E'))
      .catch((e: unknown) => e);
    assert.ok(error instanceof TethrHttpError && error.status === 503);
    assert.equal(classifyTethrFailure(error), 'retry');
    tethr.faults.push({ delayMs: 1000 });
    const timeout = await client()
      .capture(capture('500F'))
      .catch((e: unknown) => e);
    assert.ok(timeout instanceof TethrUnavailableError);
    assert.equal(classifyTethrFailure(timeout), 'retry');
    const bad = caseCapture({
      ...capture('500G').request,
      messages: [
        {
          utcTimestamp: '2026-11-25T12:00:00.000Z',
          senderReferenceId: 'c1',
          channel: 'email',
          content: 'late'
        }
      ]
    } as never);
    const rejected = await client()
      .capture(bad)
      .catch((e: unknown) => e);
    assert.ok(rejected instanceof TethrHttpError && rejected.status === 400);
    assert.equal(classifyTethrFailure(rejected), 'reject');
    assert.equal(classifyTethrFailure(new TethrHttpError('x', 429, '')), 'retry');
  });

  it('never puts the client secret in an error message', async () => {
    const c = new TethrClient({
      baseUrl: new URL(tethr.url),
      clientId: tethr.clientId,
      clientSecret: 'wrong-secret-value'
    });
    const error = (await c.capture(capture('500H')).catch((e: unknown) => e)) as Error;
    assert.match(
      error.message,
      /token request failed with HTTP 400.*check TETHR_API_CLIENT_ID and TETHR_API_CLIENT_SECRET/
    );
    assert.ok(!error.message.includes('wrong-secret-value'));
    // Wrong credentials must never send payloads to the dead-letter file.
    assert.equal(classifyTethrFailure(error), 'retry');
  });
});
