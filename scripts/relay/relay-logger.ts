// Structured logs: one JSON object per line on stderr (stdout stays free for `--sink ndjson:-`).
// Values under keys that look like credentials are replaced before anything is written, so a
// careless log call cannot leak a token or secret.

import { writeSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /(secret|password|token|authorization|accesstoken|securitytoken)/i;

export interface RelayLogger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  /** whether lines of `level` are written (lets hot paths skip building them) */
  enabled?(level: LogLevel): boolean;
}

/**
 * A logger that puts `fields` on every line, e.g. `{ orgId }`: `relay serve` writes the lines of
 * many orgs into one stream, and each must say which org it is about.
 */
export function withFields(logger: RelayLogger, fields: Record<string, unknown>): RelayLogger {
  return {
    log: (level, msg, extra = {}) => logger.log(level, msg, { ...fields, ...extra }),
    enabled: (level) => logger.enabled?.(level) ?? true
  };
}

const SECRET_KEYS = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let secret = SECRET_KEYS.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    SECRET_KEYS.set(key, secret);
  }
  return secret;
}

export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  return redactInto({}, fields);
}

/** Copies `fields` into `out` with secrets replaced; returns `out`. */
function redactInto(out: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  for (const key in fields) {
    const value = fields[key];
    if (isSecretKey(key)) out[key] = '[redacted]';
    else if (value === null || typeof value !== 'object') out[key] = value;
    else if (value instanceof Error) out[key] = { name: value.name, message: value.message };
    else if (!Array.isArray(value) && !Buffer.isBuffer(value))
      out[key] = redactFields(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

/**
 * Lines logged during one turn of the event loop are written together: one write per turn
 * instead of one per event (stderr to a pipe or file is a synchronous syscall per write, and at
 * thousands of events a second that was the relay's largest cost). The fields are copied (and
 * redacted) when `log` is called, but turned into JSON when the batch is written: the relay logs
 * one line per acknowledged event just before it moves the checkpoint and asks Pub/Sub for more,
 * and that should not wait for the serialisation. Pending lines are written synchronously if the
 * process exits first.
 */
export function jsonLogger(options: { level?: LogLevel; write?: (text: string) => void } = {}): RelayLogger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  let pending: Array<{ at: number; entry: Record<string, unknown> }> = [];
  const render = (): string => {
    let text = '';
    for (const { at, entry } of pending) {
      if (entry.ts === at) entry.ts = new Date(at).toISOString();
      text += `${JSON.stringify(entry)}\n`;
    }
    pending = [];
    return text;
  };
  const flush = (): void => {
    if (pending.length > 0) write(render());
  };
  const flushOnExit = (): void => {
    if (pending.length === 0) return;
    if (options.write) flush();
    else writeSync(2, render());
  };
  process.once('exit', flushOnExit);
  return {
    enabled: (level) => ORDER[level] >= threshold,
    log(level, msg, fields = {}) {
      if (ORDER[level] < threshold) return;
      if (pending.length === 0) setImmediate(flush);
      const at = Date.now();
      pending.push({ at, entry: redactInto({ ts: at, level, msg }, fields) });
    }
  };
}

export const silentLogger: RelayLogger = { log() {}, enabled: () => false };
