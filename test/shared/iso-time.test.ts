import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIsoInstant, parseTimeWindow } from '../../scripts/shared/iso-time.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';

// Issue 12, defect 4: --since/--until accepted whatever Date.parse accepts, in local time.

const messages = loadMessages('iso-time');

function refusal(run: () => unknown): { message: string; actions: string[] } {
  try {
    run();
  } catch (error) {
    const { message, actions } = error as { message: string; actions?: string[] };
    return { message, actions: actions ?? [] };
  }
  assert.fail('expected a refusal');
}

describe('parseIsoInstant', () => {
  it('reads a date alone as midnight UTC and a date-time in its own zone', () => {
    assert.equal(parseIsoInstant('2026-12-01', '--since'), '2026-12-01T00:00:00.000Z');
    assert.equal(parseIsoInstant('2026-12-01T07:50:00Z', '--since'), '2026-12-01T07:50:00.000Z');
    assert.equal(parseIsoInstant('2026-12-01T07:50Z', '--since'), '2026-12-01T07:50:00.000Z');
    assert.equal(parseIsoInstant('2026-12-01T08:50:00+01:00', '--since'), '2026-12-01T07:50:00.000Z');
    assert.equal(parseIsoInstant('2026-12-01T02:50:00-0500', '--since'), '2026-12-01T07:50:00.000Z');
    assert.equal(parseIsoInstant('2026-12-01T07:50:00.5+00', '--since'), '2026-12-01T07:50:00.500Z');
    assert.equal(parseIsoInstant('2026-12-01T07:50:00.123456789Z', '--since'), '2026-12-01T07:50:00.123Z');
    assert.equal(parseIsoInstant('2028-02-29', '--since'), '2028-02-29T00:00:00.000Z');
    assert.equal(parseIsoInstant('2026-12-31T23:30:00-01:00', '--since'), '2027-01-01T00:30:00.000Z');
  });

  it('refuses a slashed date, naming both days it could mean', () => {
    const { message, actions } = refusal(() => parseIsoInstant('12/01/2026', '--since'));
    assert.equal(message, messages.getMessage('error.AmbiguousDate', ['--since', '12/01/2026']));
    assert.deepEqual(
      actions,
      messages.getMessages('error.AmbiguousDate.actions', ['--since', '2026-12-01', '--since', '2026-01-12'])
    );
  });

  it('refuses an impossible date instead of rolling it over', () => {
    const { message } = refusal(() => parseIsoInstant('2026-02-30', '--until'));
    assert.equal(
      message,
      messages.getMessage('error.ImpossibleDate', [
        '--until',
        '2026-02-30',
        messages.getMessage('problem.day', ['February 2026', 28])
      ])
    );
    assert.match(refusal(() => parseIsoInstant('2026-13-01', '--until')).message, /month 13/);
    assert.match(refusal(() => parseIsoInstant('2026-12-01T24:00:00Z', '--until')).message, /hours/);
    assert.match(refusal(() => parseIsoInstant('2026-12-01T23:60:00Z', '--until')).message, /minutes/);
    assert.match(refusal(() => parseIsoInstant('2026-12-01T23:59:60Z', '--until')).message, /seconds/);
    assert.match(refusal(() => parseIsoInstant('2026-12-01T23:00:00+25:00', '--until')).message, /offset/);
  });

  it('refuses a date-time without a zone, with the fix', () => {
    const { message, actions } = refusal(() => parseIsoInstant('2026-12-01T00:00', '--since'));
    assert.equal(message, messages.getMessage('error.MissingTimeZone', ['--since', '2026-12-01T00:00']));
    assert.deepEqual(
      actions,
      messages.getMessages('error.MissingTimeZone.actions', [
        '--since',
        '2026-12-01T00:00',
        '--since',
        '2026-12-01T00:00',
        '--since',
        '2026-12-01'
      ])
    );
  });

  it('refuses other forms with an example', () => {
    for (const value of [
      'yesterday',
      '2026-12-01 07:50:00Z',
      '20261201',
      '1764575400000',
      '2026-12-1',
      'Dec 1 2026',
      ''
    ]) {
      const { message, actions } = refusal(() => parseIsoInstant(value, '--since'));
      assert.equal(message, messages.getMessage('error.NotIsoTime', ['--since', value]), value);
      assert.deepEqual(
        actions,
        messages.getMessages('error.NotIsoTime.actions', ['--since', '--since', '--since'])
      );
    }
  });
});

describe('parseTimeWindow', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  const since = (value: string) => ({ name: '--since', value });
  const until = (value: string) => ({ name: '--until', value });

  it('leaves an open end open', () => {
    assert.deepEqual(parseTimeWindow({ since: since('2026-11-30') }, now), {
      since: '2026-11-30T00:00:00.000Z',
      until: undefined
    });
  });

  it('says so when --since is in the future, instead of "swap the two dates"', () => {
    const { message, actions } = refusal(() => parseTimeWindow({ since: since('2026-12-02') }, now));
    assert.equal(
      message,
      messages.getMessage('error.SinceInFuture', [
        '--since',
        '2026-12-02T00:00:00.000Z',
        '2026-12-01T10:00:00.000Z'
      ])
    );
    assert.deepEqual(
      actions,
      messages.getMessages('error.SinceInFuture.actions', ['--since', '2026-11-30T10:00:00Z'])
    );
  });

  it('refuses an empty window and says which way round it goes', () => {
    const { message, actions } = refusal(() =>
      parseTimeWindow({ since: since('2026-11-30'), until: until('2026-11-29T00:00:00Z') }, now)
    );
    assert.equal(
      message,
      messages.getMessage('error.EmptyWindow', [
        '--since',
        '2026-11-30T00:00:00.000Z',
        '--until',
        '2026-11-29T00:00:00.000Z'
      ])
    );
    assert.deepEqual(actions, messages.getMessages('error.EmptyWindow.actions', ['--until']));
  });
});
