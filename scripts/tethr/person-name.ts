import type { NamedRef } from './salesforce-records.ts';

/** Tethr wants first and last name apart; Salesforce often only has a display Name. */
export function splitName(
  ref: NamedRef | null | undefined,
  fallback?: string | null
): { firstName?: string; lastName?: string } {
  const first = ref?.FirstName?.trim();
  const last = ref?.LastName?.trim();
  if (first || last) return { ...(first ? { firstName: first } : {}), ...(last ? { lastName: last } : {}) };
  const full = (ref?.Name ?? fallback ?? '').trim();
  if (!full) return {};
  const space = full.lastIndexOf(' ');
  if (space < 0) return { firstName: full };
  return { firstName: full.slice(0, space), lastName: full.slice(space + 1) };
}

/** Copies only present values: the SDK omits nulls and so do we. */
export function present<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: NonNullable<T[K]> } {
  const out: { [K in keyof T]?: NonNullable<T[K]> } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined && item !== null && item !== '') (out as Record<string, unknown>)[key] = item;
  }
  return out;
}
