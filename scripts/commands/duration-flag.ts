import { Flags } from '@salesforce/sf-plugins-core';
import { loadMessages } from '../shared/messages.ts';

// Durations people type for schedules (`relay orgs add --verify-every 1h`): a whole number and a
// unit, s, m, h or d; 0 alone for "never" where a flag allows it. No bare numbers: "100" could be
// seconds or milliseconds, and a schedule off by a factor of 1,000 fails quietly.

const messages = loadMessages('duration-flag');
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Seconds `text` names (`90s`, `15m`, `1h`, `2d`; `0` when `allowZero`). */
export function parseDuration(text: string, flag: string, allowZero = false): number {
  const value = text.trim().toLowerCase();
  if (allowZero && (value === '0' || value === 'off')) return 0;
  const match = /^(\d+)\s*([smhd])$/.exec(value);
  if (!match)
    throw messages.createError(
      'error.InvalidDuration',
      [flag, text],
      [flag, allowZero ? ` (0 or off: never)` : '']
    );
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

/**
 * A duration flag: a string with a static default, so help shows "[default: 1h]" without running
 * code (help never loads a command); run() turns it into seconds with parseDuration.
 */
export function durationFlag(options: { summary: string; default: string; helpGroup?: string }) {
  return Flags.string({
    summary: options.summary,
    default: options.default,
    ...(options.helpGroup ? { helpGroup: options.helpGroup } : {})
  });
}
