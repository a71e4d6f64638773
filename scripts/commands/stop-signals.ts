// Who answers SIGINT, SIGTERM and the rest. Every command exits quietly with 130 (TethrCommand);
// a command that delivers (relay, relay serve, backfill, verify --resend, dead-letters retry)
// takes the signals over to drain and write its checkpoint or cursor first.

/**
 * Replaces whatever answers these signals now (sf-plugins-core's handler, or TethrCommand's plain
 * exit) with `onSignal`. Returns the undo.
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
