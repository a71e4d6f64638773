import { isChannel, type Channel } from '../../contracts/channels.ts';
import { tethrSessionId, type SessionIdScheme } from '../../contracts/org-connection.ts';
import type { DeadLetterStore, DeadLetterSummary } from '../dead-letters.ts';
import { chunk } from '../fetchers/salesforce-rest.ts';
import { caseSafeId } from '../salesforce-id.ts';
import type { Resender } from './resend.ts';

// dead-letters retry: letters whose cause was fixed go through the normal delivery path again
// (verify's resender: the same fetch, mapping, sink and sessionId as the relay), one Salesforce
// read per batch of records of a channel. A letter is marked retried (or removed) only once its
// record was delivered. One that fails again is replaced by the letter the new attempt wrote
// (with the new reason), so the record stays dead-lettered exactly once. A letter without a
// record (an event that could not be decoded) cannot be fetched again and is left as it is.

export type RetryOutcome = 'delivered' | 'failed-again' | 'not-retryable' | 'interrupted';

export interface RetriedLetter {
  id: string;
  recordId: string | null;
  channel: Channel | null;
  sessionId: string | null;
  outcome: RetryOutcome;
  /** failed-again: the new reason and detail; not-retryable: why */
  reason?: string;
  detail?: string;
  /** what became of the letter in the store */
  letter: 'marked-retried' | 'removed' | 'replaced' | 'kept';
}

export interface RetryOptions {
  store: DeadLetterStore;
  letters: readonly DeadLetterSummary[];
  orgId: string;
  sessionIdScheme: SessionIdScheme;
  resender: Resender;
  /** delete delivered letters instead of marking them retried */
  remove?: boolean;
  /** records per Salesforce read (default 50, as backfill) */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { channel: Channel; total: number; done: number }) => void;
}

interface Target {
  recordId: string;
  channel: Channel;
  sessionId: string;
  letters: DeadLetterSummary[];
}

export async function retryDeadLetters(options: RetryOptions): Promise<RetriedLetter[]> {
  const { store, signal } = options;
  const results = new Map<string, RetriedLetter>();
  const targets = new Map<string, Target>();
  for (const letter of options.letters) {
    const recordId = recordIdOf(letter);
    const channel = recordId ? await channelOf(store, letter) : null;
    if (!recordId || !channel) {
      results.set(letter.id, {
        id: letter.id,
        recordId,
        channel,
        sessionId: null,
        outcome: 'not-retryable',
        reason: recordId ? 'unknown-channel' : 'no-record',
        letter: 'kept'
      });
      continue;
    }
    const key = `${channel}:${recordId}`;
    let target = targets.get(key);
    if (!target) {
      const sessionId = tethrSessionId(options.orgId, recordId, options.sessionIdScheme);
      target = { recordId, channel, sessionId, letters: [] };
      targets.set(key, target);
    }
    target.letters.push(letter);
  }

  const byChannel = new Map<Channel, Target[]>();
  for (const target of targets.values())
    byChannel.set(target.channel, [...(byChannel.get(target.channel) ?? []), target]);
  for (const [channel, ofChannel] of byChannel) {
    let done = 0;
    for (const batch of chunk(ofChannel, options.batchSize ?? 50)) {
      if (signal?.aborted) break;
      const outcomes = await options.resender.resend(
        channel,
        batch.map((t) => ({ recordId: t.recordId, sessionId: t.sessionId }))
      );
      for (const target of batch) {
        const outcome = outcomes.get(target.recordId) ?? { outcome: 'abandoned' as const };
        for (const letter of target.letters) {
          const base = { id: letter.id, recordId: target.recordId, channel, sessionId: target.sessionId };
          if (outcome.outcome === 'delivered') {
            const changed = options.remove
              ? await store.remove(letter.id)
              : await store.markRetried(letter.id);
            results.set(letter.id, {
              ...base,
              outcome: 'delivered',
              letter: changed ? (options.remove ? 'removed' : 'marked-retried') : 'kept'
            });
          } else if (outcome.outcome === 'dead-lettered') {
            // The new attempt's letter is in the store already (written before its outcome was
            // reported); the old one goes, so the record is listed once, with its new reason.
            const removed = await store.remove(letter.id);
            results.set(letter.id, {
              ...base,
              outcome: 'failed-again',
              reason: outcome.reason,
              detail: outcome.detail,
              letter: removed ? 'replaced' : 'kept'
            });
          } else {
            results.set(letter.id, { ...base, outcome: 'interrupted', letter: 'kept' });
          }
        }
      }
      done += batch.length;
      options.onProgress?.({ channel, total: ofChannel.length, done });
    }
  }
  for (const target of targets.values())
    for (const letter of target.letters)
      if (!results.has(letter.id))
        results.set(letter.id, {
          id: letter.id,
          recordId: target.recordId,
          channel: target.channel,
          sessionId: target.sessionId,
          outcome: 'interrupted',
          letter: 'kept'
        });
  return options.letters.map((letter) => results.get(letter.id)!);
}

/**
 * The Salesforce record id a letter names, in its 18-character form (the one the relay's session
 * ids carry); a session id `org:record` names its record after the colon.
 */
export function recordIdOf(letter: Pick<DeadLetterSummary, 'recordId'>): string | null {
  const id = letter.recordId?.trim();
  if (!id) return null;
  const colon = id.lastIndexOf(':');
  const record = colon >= 0 ? id.slice(colon + 1) : id;
  return record ? caseSafeId(record) : null;
}

/**
 * The channel of a letter: its objectType, or, for letters of payloads Tethr rejected that were
 * written without one, the objectType the payload's metadata carries (read here, never shown).
 */
async function channelOf(store: DeadLetterStore, letter: DeadLetterSummary): Promise<Channel | null> {
  if (letter.objectType && isChannel(letter.objectType)) return letter.objectType;
  if (!letter.hasPayload) return null;
  const full = await store.get(letter.id, { withPayload: true });
  const objectType = (
    full?.payload as { request?: { metadata?: { salesforce?: { objectType?: unknown } } } } | undefined
  )?.request?.metadata?.salesforce?.objectType;
  return typeof objectType === 'string' && isChannel(objectType) ? objectType : null;
}
