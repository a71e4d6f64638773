import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PUBSUB_ENDPOINT, parsePubSubEndpoint } from '../../scripts/relay/pubsub-endpoint.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';

// The Pub/Sub endpoint that `relay` and `relay serve` take: its refusals come from
// messages/pubsub-endpoint.md (issue 12: no inline English, core modules know no flag names).

const messages = loadMessages('pubsub-endpoint');

type Refusal = Error & { actions?: string[] };

describe('parsePubSubEndpoint', () => {
  it('reads TLS and loopback plaintext endpoints', () => {
    assert.deepEqual(parsePubSubEndpoint(), { target: DEFAULT_PUBSUB_ENDPOINT, tls: true });
    assert.deepEqual(parsePubSubEndpoint(), { target: 'api.pubsub.salesforce.com:7443', tls: true });
    assert.deepEqual(parsePubSubEndpoint('https://localhost:7443'), { target: 'localhost:7443', tls: true });
    assert.deepEqual(parsePubSubEndpoint('https://pubsub.example.com'), {
      target: 'pubsub.example.com:443',
      tls: true
    });
    assert.deepEqual(parsePubSubEndpoint('http://127.0.0.1:7011'), { target: '127.0.0.1:7011', tls: false });
  });

  it('refuses plaintext to another host with the TLS forms of the same address', () => {
    // Salesforce's own endpoint too: plaintext is for a loopback test server only.
    for (const address of ['pubsub.example.com:7443', 'api.pubsub.salesforce.com:7443']) {
      assert.throws(
        () => parsePubSubEndpoint(`http://${address}`),
        (error: Refusal) => {
          assert.equal(error.name, 'InsecurePubSubEndpointError');
          assert.equal(
            error.message,
            messages.getMessage('error.InsecurePubSubEndpoint', [`http://${address}`])
          );
          assert.deepEqual(
            error.actions,
            messages.getMessages('error.InsecurePubSubEndpoint.actions', [address, address])
          );
          return true;
        }
      );
    }
  });

  it('refuses what is not host:port, naming the default', () => {
    for (const value of ['ftp://pubsub.example.com', 'https://pubsub.example.com/path', 'http://[']) {
      assert.throws(
        () => parsePubSubEndpoint(value),
        (error: Refusal) => {
          assert.equal(error.name, 'InvalidPubSubEndpointError');
          assert.equal(error.message, messages.getMessage('error.InvalidPubSubEndpoint', [value]));
          assert.deepEqual(
            error.actions,
            messages.getMessages('error.InvalidPubSubEndpoint.actions', [DEFAULT_PUBSUB_ENDPOINT])
          );
          assert.ok(!error.message.includes('--'), 'the core module names no flag');
          return true;
        }
      );
    }
  });
});
