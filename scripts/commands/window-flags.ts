import { Flags } from '@salesforce/sf-plugins-core';
import { CHANNELS, isChannel, type Channel } from '../contracts/channels.ts';
import { loadMessages } from '../shared/messages.ts';

// What `backfill` and `verify` share: both look at the conversations that closed in one window,
// on the same channels, so the channel flag and the progress bar wording are defined once.

const messages = loadMessages('window-flags');

export const channelsFlag = Flags.string({
  summary: `Comma-separated channels (${CHANNELS.join(', ')}); default: the connection's channels.`
});

export function parseChannels(value: string | undefined, enabled: readonly Channel[]): Channel[] {
  if (!value) return [...enabled];
  const channels = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const channel of channels) {
    if (!isChannel(channel))
      throw messages.createError('error.InvalidChannel', [channel], [CHANNELS.join(', ')]);
  }
  return [...new Set(channels as Channel[])];
}

/** sf's progress bar options with our title and unit (its default unit is deploy's "Components"). */
export function progressBarOptions(title: string): { title: string; format: string } {
  return { title, format: messages.getMessage('progress.format') };
}
