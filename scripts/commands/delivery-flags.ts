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
 * Replaces the handlers SfCommand installs for SIGINT/SIGTERM (they exit at once with code 130):
 * a delivering command must drain and write its checkpoint or cursor first. Returns the undo.
 */
export function takeOverStopSignals(onSignal: (signal: NodeJS.Signals) => void): () => void {
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
