// Salesforce record ids come in two forms: 15 characters, case-sensitive, and 18, the same with a
// three-character suffix that encodes the case of the first 15 (what the API returns). A flow or
// an older letter may carry the 15-character form; the relay sends Tethr the 18-character one (the
// mapping reads record.Id), so whoever computes a session id from a stored id needs the long form.

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 18-character form of a 15-character id; anything else is returned as it is. */
export function caseSafeId(id: string): string {
  if (!/^[a-zA-Z0-9]{15}$/.test(id)) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_CHARS[bits];
  }
  return id + suffix;
}
