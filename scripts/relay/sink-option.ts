import { SfError } from '@salesforce/core/sfError';

export type SinkSpec = { type: 'tethr' } | { type: 'ndjson'; path: string };

/** `tethr`, `ndjson:<path>` or `ndjson:-` (stdout). */
export function parseSinkOption(value: string): SinkSpec {
  if (value === 'tethr') return { type: 'tethr' };
  if (value.startsWith('ndjson:') && value.length > 'ndjson:'.length)
    return { type: 'ndjson', path: value.slice('ndjson:'.length) };
  throw new SfError(`--sink "${value}" is not tethr, ndjson:<path> or ndjson:-.`, 'InvalidSink', [
    'Use --sink tethr to post to Tethr (needs TETHR_API_URL, TETHR_API_CLIENT_ID, TETHR_API_CLIENT_SECRET), or --sink ndjson:./out.ndjson.'
  ]);
}
