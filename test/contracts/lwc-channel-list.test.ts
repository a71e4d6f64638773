// The setup page repeats the channel registry in JavaScript (an LWC cannot import TypeScript).
// This test is what keeps the copy honest: any difference in channels, objects, fields or the
// always-readable objects fails here, before the page asks an admin for the wrong access.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  ALWAYS_READABLE_OBJECTS,
  CHANNEL_REGISTRY,
  CHANNELS,
  fieldReads,
  type Channel
} from '../../scripts/contracts/channels.ts';

interface LwcChannel {
  channel: string;
  object: string;
  feature: string;
  reads: Record<string, string[]>;
}

const MODULE = path.resolve(
  import.meta.dirname,
  '../../force-app/main/default/lwc/tethrChannels/tethrChannels.js'
);
const lwc = (await import(pathToFileURL(MODULE).href)) as {
  CHANNEL_LIST: LwcChannel[];
  ALWAYS_READABLE_OBJECTS: string[];
  readsFor(channels: string[]): { object: string; fields: string[] }[];
};

/** The registry's reads of one channel as object -> sorted fields. */
function registryReads(channel: Channel): Record<string, string[]> {
  const byObject: Record<string, string[]> = {};
  for (const { object, field } of fieldReads(channel)) (byObject[object] ??= []).push(field);
  for (const fields of Object.values(byObject)) fields.sort();
  return byObject;
}

function sortedReads(reads: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(reads).map(([object, fields]) => [object, [...fields].sort()]));
}

describe('the setup page channel list (lwc/tethrChannels) matches scripts/contracts/channels.ts', () => {
  test('same channels, in the same order, with the same object and feature', () => {
    assert.deepEqual(
      lwc.CHANNEL_LIST.map((c) => ({ channel: c.channel, object: c.object, feature: c.feature })),
      CHANNELS.map((channel) => ({
        channel,
        object: CHANNEL_REGISTRY[channel].object,
        feature: CHANNEL_REGISTRY[channel].feature
      }))
    );
  });

  for (const channel of CHANNELS) {
    test(`${channel}: exactly the objects and fields the relay reads`, () => {
      const copy = lwc.CHANNEL_LIST.find((c) => c.channel === channel);
      assert.ok(copy, `tethrChannels.js has no ${channel} channel`);
      assert.deepEqual(sortedReads(copy.reads), registryReads(channel));
    });
  }

  test('the same objects are readable by every user', () => {
    assert.deepEqual([...lwc.ALWAYS_READABLE_OBJECTS].sort(), [...ALWAYS_READABLE_OBJECTS].sort());
  });

  test('what the page asks for a Case-only org names no Messaging or Chat object', () => {
    const objects = lwc.readsFor(['Case']).map((read) => read.object);
    assert.deepEqual(objects, ['Case', 'Contact', 'EmailMessage', 'CaseComment']);
  });
});
