// What the local Tethr refuses on POST /capture/v2/status: the SDK sends SessionStatusRequest,
// serialised camelCase: {"sessionIds": ["...", ...]}. A PascalCase or missing property, a
// non-array, or an id that is not a non-empty string is a malformed request (400).

export function validateStatusRequest(
  text: string,
  maxBatch?: number
): { sessionIds: string[] } | { problems: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problems: ['body is not JSON'] };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { problems: ['body must be a SessionStatusRequest object'] };
  const { sessionIds } = body as { sessionIds?: unknown };
  if (sessionIds === undefined) return { problems: ['sessionIds is required'] };
  if (!Array.isArray(sessionIds)) return { problems: ['sessionIds must be an array of strings'] };
  const problems: string[] = [];
  sessionIds.forEach((id, index) => {
    if (typeof id !== 'string' || id === '') problems.push(`sessionIds[${index}] must be a non-empty string`);
  });
  const unknown = Object.keys(body).filter((key) => key !== 'sessionIds');
  if (unknown.length > 0) problems.push(`unknown properties: ${unknown.join(', ')}`);
  if (maxBatch !== undefined && sessionIds.length > maxBatch)
    problems.push(`at most ${maxBatch} sessionIds per request`);
  return problems.length > 0 ? { problems } : { sessionIds: sessionIds as string[] };
}
