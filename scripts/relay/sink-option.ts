import { loadMessages } from '../shared/messages.ts';

export type SinkSpec = { type: 'tethr' } | { type: 'ndjson'; path: string };

const messages = loadMessages('relay');

/** `tethr`, `ndjson:<path>` or `ndjson:-` (stdout). */
export function parseSinkOption(value: string): SinkSpec {
  if (value === 'tethr') return { type: 'tethr' };
  if (value.startsWith('ndjson:') && value.length > 'ndjson:'.length)
    return { type: 'ndjson', path: value.slice('ndjson:'.length) };
  throw messages.createError('error.InvalidSink', [value]);
}

export function formatSinkOption(spec: SinkSpec): string {
  return spec.type === 'tethr' ? 'tethr' : `ndjson:${spec.path}`;
}
