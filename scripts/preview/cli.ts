import { readFileSync } from 'node:fs';
import { loadMessages } from '../shared/messages.ts';
import { startPreview, type PreviewServer } from './preview.ts';

// `npm run preview`: flags, environment and output of the setup page preview. Kept apart from
// server.ts (which only runs it) so tests can drive it without a terminal.

const messages = loadMessages('preview');
export const DEFAULT_PORT = 3000;

interface PageState {
  name: string;
  description: string;
}

/** The page states the preview can show (?state=<name>), shared with the browser-side fixtures. */
export const PAGE_STATES: readonly PageState[] = JSON.parse(
  readFileSync(new URL('fixtures/states.json', import.meta.url), 'utf8')
) as PageState[];

export function usage(): string {
  const width = Math.max(...PAGE_STATES.map((state) => state.name.length));
  return [
    'Usage: npm run preview [-- --help]',
    '',
    'Serves the Tethr setup page on http://127.0.0.1:<PORT>/, compiled with the LWC compiler and fed',
    'by fixture data instead of an org, as the installed package (tethr namespace) renders it.',
    '',
    'ENVIRONMENT VARIABLES',
    `  PORT  the port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)`,
    '',
    'PAGE STATES (add ?state=<name> to the URL)',
    ...PAGE_STATES.map((state) => `  ${state.name.padEnd(width)}  ${state.description}`),
    ''
  ].join('\n');
}

export function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65535) {
    throw messages.createError('error.InvalidPort', [value]);
  }
  return port;
}

export interface Output {
  log(line: string): void;
  error(line: string): void;
}

/** Runs the preview: the server it started, or the exit code when it did not start one. */
export async function runPreview(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  out: Output
): Promise<PreviewServer | number> {
  if (args.includes('--help') || args.includes('-h')) {
    out.log(usage());
    return 0;
  }
  try {
    const unknown = args.find((arg) => arg.trim() !== '');
    if (unknown !== undefined) throw messages.createError('error.UnknownArgument', [unknown]);
    const port = parsePort(env.PORT);
    const server = await startPreview({
      port,
      onBuilding: () => out.log('Building the setup page with the LWC compiler...')
    });
    out.log(`Built in ${(server.buildMs / 1000).toFixed(1)} s.`);
    out.log(`Tethr setup page preview: ${server.url}  (Ctrl+C to stop)`);
    out.log(`Other page states: ${server.url}?state=<name> (npm run preview -- --help lists them)`);
    return server;
  } catch (error) {
    const { message, actions } = error as Error & { actions?: string[] };
    if (!actions) throw error;
    out.error(`Error: ${message}`);
    for (const action of actions) out.error(`  ${action}`);
    return 1;
  }
}
