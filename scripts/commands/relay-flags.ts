import { Flags } from '@salesforce/sf-plugins-core';
import { DEFAULT_PUBSUB_ENDPOINT } from '../relay/pubsub-endpoint.ts';

// Flags the relay commands share (`relay`, `relay serve`, `relay orgs ...`, `relay checkpoint show`),
// defined once so their help texts and defaults cannot drift apart.

export const pubsubEndpointFlag = Flags.string({
  summary:
    'Pub/Sub API endpoint: host:port or https://host:port (TLS), http://127.0.0.1:port (plaintext, local tests only).',
  default: DEFAULT_PUBSUB_ENDPOINT
});

export const numRequestedFlag = Flags.integer({
  summary:
    'Flow-control window (1-100): events outstanding per stream at most, and events delivered but not yet checkpointed at most (what a crash can repeat).',
  min: 1,
  max: 100,
  default: 100
});

export const logLevelFlag = Flags.option({
  summary: 'Lowest log level written to stderr.',
  options: ['debug', 'info', 'warn', 'error'] as const,
  default: 'info'
})();

export const statusIntervalFlag = Flags.integer({
  summary: 'Seconds between status log lines.',
  min: 1,
  default: 30
});

export const modeFlag = Flags.option({
  summary: "transcripts: send each conversation in Tethr's format; events: forward the events as received.",
  options: ['transcripts', 'events'] as const,
  default: 'transcripts'
})();

export const startAtFlag = Flags.option({
  summary: 'Where to start when there is no checkpoint yet.',
  options: ['latest', 'earliest'] as const,
  default: 'latest'
})();

export const onInvalidReplayFlag = Flags.option({
  summary:
    'When Pub/Sub rejects the stored replay id (older than 72 hours): resume from earliest or latest, or fail.',
  options: ['earliest', 'latest', 'fail'] as const,
  default: 'earliest'
})();

export const sessionIdFlag = Flags.option({
  summary:
    'How Tethr session ids are formed: org-and-record (default: unique across orgs and sandboxes) or record-id (for orgs whose history Tethr already holds under bare record ids).',
  options: ['org-and-record', 'record-id'] as const,
  default: 'org-and-record'
})();

export const tethrConcurrencyFlag = Flags.integer({
  summary: 'Tethr captures posted at once for this org.',
  min: 1,
  max: 256,
  default: 32
});

export const databaseUrlFlag = Flags.string({
  summary: 'PostgreSQL URL of the relay service (default: TETHR_DATABASE_URL).',
  env: 'TETHR_DATABASE_URL'
});
