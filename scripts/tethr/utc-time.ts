// Salesforce returns date-times as "2026-11-25T18:39:43.000+0000" (REST) or epoch milliseconds
// (Avro, Connect); Tethr wants ISO 8601 in UTC. Everything passes through here so a bad value
// fails with the field it came from instead of an "Invalid Date" deep inside a payload.

export function toUtcIso(value: string | number | Date, field: string): string {
  const ms =
    typeof value === 'number' ? value : value instanceof Date ? value.getTime() : parseSalesforceDate(value);
  if (!Number.isFinite(ms)) {
    throw new Error(`${field} is not a valid date-time: ${JSON.stringify(String(value).slice(0, 40))}.`);
  }
  return new Date(ms).toISOString();
}

function parseSalesforceDate(value: string): number {
  // "+0000" (no colon) is what the REST API emits; Date.parse wants "+00:00" to be portable.
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(normalised);
}

/** The smallest window that holds [start, end] and every message time, so Tethr's check passes. */
export function widenWindow(
  start: string,
  end: string,
  times: readonly string[]
): { utcStart: string; utcEnd: string } {
  let lo = start;
  let hi = end < start ? start : end;
  for (const time of times) {
    if (time < lo) lo = time;
    if (time > hi) hi = time;
  }
  return { utcStart: lo, utcEnd: hi };
}
