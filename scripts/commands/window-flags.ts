import { Flags } from '@salesforce/sf-plugins-core';
import { CHANNELS, isChannel, type Channel } from '../contracts/channels.ts';
import type { OrgConnection } from '../contracts/org-connection.ts';
import { readConnection } from '../org/connection-files.ts';
import { openIntegrationSession, type IntegrationSession } from '../org/integration-session.ts';
import { loadMessages } from '../shared/messages.ts';

// What `backfill` and `verify` share: both read one org's connection and look at the
// conversations that closed in one window, on the same channels, so those flags and the
// progress bar wording are defined once.

const messages = loadMessages('window-flags');

const ONE_OF = ['connection', 'credentials'];

export const connectionFlags = {
  connection: Flags.file({
    summary: 'Connection file (tethr-salesforce-connection/v2), plain or age-encrypted.',
    exists: true,
    exactlyOne: ONE_OF
  }),
  credentials: Flags.file({
    summary: 'Legacy credentials bundle (tethr-salesforce-credentials/v1), plain or age-encrypted.',
    exists: true,
    exactlyOne: ONE_OF
  })
};

export interface OpenedConnection {
  connection: OrgConnection;
  session: IntegrationSession;
  /** how the reader named the file, to repeat it in a follow-up command: --connection <file> */
  fileArgs: string;
}

/**
 * Reads the org's connection (either flag takes a v2 connection file or a v1 bundle) and opens
 * the integration user's session: the org's own consumer from the file, or Tethr's app
 * credential from TETHR_SF_* for the packaged app.
 */
export async function openConnection(flags: {
  connection?: string;
  credentials?: string;
}): Promise<OpenedConnection> {
  const [flag, path] = flags.connection
    ? ['--connection', flags.connection]
    : ['--credentials', flags.credentials!];
  const connection = await readConnection(path);
  return { connection, session: openIntegrationSession(connection), fileArgs: `${flag} ${path}` };
}

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
