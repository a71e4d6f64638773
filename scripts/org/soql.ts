/** Quotes a value as a SOQL string literal (backslash and quote escaped), so input never changes the query. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `NamespacePrefix = 'tethr'` or `NamespacePrefix = null` for metadata deployed without the package. */
export function namespaceCondition(namespace: string): string {
  return namespace ? `NamespacePrefix = ${soqlString(namespace)}` : 'NamespacePrefix = null';
}
