import { DEFAULT_SESSION_ID_SCHEME, type SessionIdScheme } from '../../contracts/org-connection.ts';
import { loadMessages } from '../../shared/messages.ts';
import { DEFAULT_CONNECT_HOURLY_LIMIT } from '../connect-budget.ts';
import { clampWindow } from '../flow-control.ts';
import type { InvalidReplayPolicy, RelayMode } from '../relay-core.ts';
import { parseSinkOption } from '../sink-option.ts';
import { parseTethrUrl } from '../tethr-env.ts';

// What `relay serve` does for one org, stored next to its connection in relay_orgs.options and
// set with `tethr-sf relay orgs add`. Read back through `parseOrgOptions`, so a row written by an
// older relay (a missing option) gets today's default, and a wrong one fails that org only.

const messages = loadMessages('relay');

export interface RelayOrgOptions {
  mode: RelayMode;
  /** tethr | ndjson:<path> (a path on the replica's file system, relative to its working directory) */
  sink: string;
  sessionIdScheme: SessionIdScheme;
  startAt: 'latest' | 'earliest';
  onInvalidReplay: InvalidReplayPolicy;
  numRequested: number;
  tethrConcurrency: number;
  connectHourlyLimit: number;
  /** this org's Tethr instance when it is not TETHR_API_URL (credentials still from TETHR_API_CLIENT_*) */
  tethrUrl?: string;
  /**
   * The scheduled reconciliation (service/scheduled-verify.ts): every this many seconds (0: never)
   * the owner checks the window of `verifyWindowSeconds` ending `verifyLagSeconds` ago against
   * Tethr's status API, and with `verifyResend` sends the missing ones again. Only for transcripts
   * to Tethr: an ndjson sink has no Tethr to ask.
   */
  verifyEverySeconds: number;
  verifyWindowSeconds: number;
  verifyLagSeconds: number;
  verifyResend: boolean;
}

/** Whether the service reconciles this org on a schedule. */
export function verifiesOnSchedule(options: RelayOrgOptions): boolean {
  return options.verifyEverySeconds > 0 && options.mode === 'transcripts' && options.sink === 'tethr';
}

const DAY = 86_400;

export const DEFAULT_ORG_OPTIONS: RelayOrgOptions = {
  mode: 'transcripts',
  sink: 'tethr',
  sessionIdScheme: DEFAULT_SESSION_ID_SCHEME,
  startAt: 'latest',
  onInvalidReplay: 'earliest',
  numRequested: 100,
  tethrConcurrency: 32,
  connectHourlyLimit: DEFAULT_CONNECT_HOURLY_LIMIT,
  verifyEverySeconds: 3_600,
  verifyWindowSeconds: DAY,
  verifyLagSeconds: 900,
  verifyResend: false
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw messages.createError('error.InvalidOrgOption', [
    name,
    `must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`
  ]);
}

function integer(value: unknown, min: number, max: number, name: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw messages.createError('error.InvalidOrgOption', [
    name,
    `must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`
  ]);
}

function bool(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  throw messages.createError('error.InvalidOrgOption', [
    name,
    `must be true or false, not ${JSON.stringify(value)}`
  ]);
}

export function parseOrgOptions(raw: unknown): RelayOrgOptions {
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<
    Record<keyof RelayOrgOptions, unknown>
  >;
  const merged = {
    ...DEFAULT_ORG_OPTIONS,
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))
  };
  const options: RelayOrgOptions = {
    mode: oneOf(merged.mode, ['transcripts', 'events'] as const, 'mode'),
    sink: String(merged.sink),
    sessionIdScheme: oneOf(
      merged.sessionIdScheme,
      ['org-and-record', 'record-id'] as const,
      'sessionIdScheme'
    ),
    startAt: oneOf(merged.startAt, ['latest', 'earliest'] as const, 'startAt'),
    onInvalidReplay: oneOf(
      merged.onInvalidReplay,
      ['earliest', 'latest', 'fail'] as const,
      'onInvalidReplay'
    ),
    numRequested: clampWindow(integer(merged.numRequested, 1, 100, 'numRequested')),
    tethrConcurrency: integer(merged.tethrConcurrency, 1, 256, 'tethrConcurrency'),
    connectHourlyLimit: integer(merged.connectHourlyLimit, 1, 1_000_000, 'connectHourlyLimit'),
    verifyEverySeconds: integer(merged.verifyEverySeconds, 0, 7 * DAY, 'verifyEverySeconds'),
    verifyWindowSeconds: integer(merged.verifyWindowSeconds, 1, 30 * DAY, 'verifyWindowSeconds'),
    verifyLagSeconds: integer(merged.verifyLagSeconds, 0, DAY, 'verifyLagSeconds'),
    verifyResend: bool(merged.verifyResend, 'verifyResend')
  };
  parseSinkOption(options.sink);
  if (typeof merged.tethrUrl === 'string' && merged.tethrUrl) {
    parseTethrUrl(merged.tethrUrl, 'tethrUrl');
    options.tethrUrl = merged.tethrUrl;
  }
  if (options.mode === 'events' && options.sink === 'tethr')
    throw messages.createError('error.EventsModeNeedsNdjson');
  return options;
}
