/** Longest detail a table cell shows; --json and the dead-letter store keep all of it. */
const TABLE_DETAIL_CHARS = 120;

/** The start of a long error detail, for a table column that would otherwise wrap for screens. */
export function shortDetail(detail: string | undefined): string {
  const text = detail ?? '';
  return text.length > TABLE_DETAIL_CHARS ? `${text.slice(0, TABLE_DETAIL_CHARS - 1)}…` : text;
}
