import { Flags } from '@salesforce/sf-plugins-core';

// What `relay` and `backfill` share: they read the same bundle and write through the same sinks,
// so the flags are defined once and cannot drift apart.

export const credentialsFlag = Flags.file({
  summary: 'Credentials bundle (tethr-salesforce-credentials/v1), plain or age-encrypted.',
  required: true,
  exists: true
});

export const sinkFlag = Flags.string({
  summary: 'tethr, ndjson:<path> or ndjson:- (stdout).',
  default: 'tethr'
});

/**
 * Replaces the stop handlers already installed (TethrCommand's plain exit with code 130): a
 * delivering command must drain and write its checkpoint or cursor first. Returns the undo.
 */
export function takeOverStopSignals(
  onSignal: (signal: NodeJS.Signals) => void,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
): () => void {
  for (const signal of signals) {
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
