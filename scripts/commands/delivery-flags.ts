import { Flags } from '@salesforce/sf-plugins-core';

// What `relay` and `backfill` share: they read the same bundle and write through the same sinks,
// so the flags are defined once and cannot drift apart.

export const credentialsFlag = Flags.file({
  summary: 'Credentials bundle (tethr-salesforce-credentials/v1), plain or age-encrypted.',
  required: true,
  exists: true
});

export const sinkFlag = Flags.string({
  summary: 'tethr, ndjson:<path> or ndjson:- (stdout).',
  default: 'tethr'
});
