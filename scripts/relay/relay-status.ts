/** Counters the status line and the final summary report. */
export class RelayCounters {
  received = 0;
  delivered = 0;
  deadLettered = 0;
  skipped = 0;
  reconnects = 0;
  keepalives = 0;
  connected = false;
  startedAt = Date.now();
}

export function statusLine(counters: RelayCounters, extra: Record<string, unknown>): Record<string, unknown> {
  const seconds = Math.max(1, (Date.now() - counters.startedAt) / 1000);
  return {
    connected: counters.connected,
    received: counters.received,
    delivered: counters.delivered,
    deadLettered: counters.deadLettered,
    skipped: counters.skipped,
    reconnects: counters.reconnects,
    eventsPerSecond:
      Math.round(((counters.delivered + counters.deadLettered + counters.skipped) / seconds) * 10) / 10,
    ...extra
  };
}
