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
    assert.deepEqual(parsePubSubEndpoint('https://pubsub.example.com'), {
      target: 'pubsub.example.com:443',
      tls: true
    });
    assert.deepEqual(parsePubSubEndpoint('http://127.0.0.1:7011'), { target: '127.0.0.1:7011', tls: false });
  });

  it('refuses plaintext to another host with the TLS forms of the same address', () => {
    assert.throws(
      () => parsePubSubEndpoint('http://pubsub.example.com:7443'),
      (error: Refusal) => {
        assert.equal(error.name, 'InsecurePubSubEndpointError');
        assert.equal(
          error.message,
          messages.getMessage('error.InsecurePubSubEndpoint', ['http://pubsub.example.com:7443'])
        );
        assert.deepEqual(
          error.actions,
          messages.getMessages('error.InsecurePubSubEndpoint.actions', [
            'pubsub.example.com:7443',
            'pubsub.example.com:7443'
          ])
        );
        return true;
      }
    );
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
