import { SfError } from '@salesforce/core/sfError';
import { assertAllowedUrl } from '../shared/url-policy.ts';
import { TethrClient } from '../tethr/tethr-client.ts';

// Tethr's URL and credentials come only from the environment (a secret in a flag would end up
// in shell history and process listings).
export const TETHR_ENV = ['TETHR_API_URL', 'TETHR_API_CLIENT_ID', 'TETHR_API_CLIENT_SECRET'] as const;

export function tethrClientFromEnv(env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): TethrClient {
  const missing = TETHR_ENV.filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new SfError(
      `--sink tethr needs the environment variable(s) ${missing.join(', ')}.`,
      'TethrEnvMissing',
      [
        "Set TETHR_API_URL (e.g. https://yourcompany.Audio.Tethr.com), TETHR_API_CLIENT_ID and TETHR_API_CLIENT_SECRET from Tethr's API credentials, or use --sink ndjson:<file>."
      ]
    );
  }
  const baseUrl = assertAllowedUrl(env.TETHR_API_URL!.trim(), 'TETHR_API_URL');
  return new TethrClient({
    baseUrl,
    clientId: env.TETHR_API_CLIENT_ID!.trim(),
    clientSecret: env.TETHR_API_CLIENT_SECRET!.trim(),
    ...(timeoutMs ? { timeoutMs } : {})
  });
}
