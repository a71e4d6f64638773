// Validates capture bodies the way Tethr's SDK does before it posts (TethrCapture.UploadAsync in
// CollabIP/Tethr.sdk-dotnet) plus what its serializer guarantees: camelCase member names, no
// nulls, UTC times, message times inside [utcStart, utcEnd], participants with referenceId and
// type, case messages whose senderReferenceId names a participant. Written independently of the
// relay's mapping so that a mapping bug shows up as a 400 here.

const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z$/;

type Json = Record<string, unknown>;

function checkNoNullsOrPascalCase(value: unknown, path: string, problems: string[]): void {
  if (value === null) problems.push(`${path} is null (the SDK omits nulls)`);
  else if (Array.isArray(value))
    value.forEach((item, i) => checkNoNullsOrPascalCase(item, `${path}[${i}]`, problems));
  else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Json)) {
      if (path === '$.metadata' || path.startsWith('$.metadata.')) continue;
      if (/^[A-Z]/.test(key)) problems.push(`${path}.${key} is PascalCase (the SDK serialises camelCase)`);
      checkNoNullsOrPascalCase(item, `${path}.${key}`, problems);
    }
  }
}

function checkWindow(body: Json, problems: string[]): [number, number] {
  for (const field of ['utcStart', 'utcEnd']) {
    if (typeof body[field] !== 'string' || !UTC.test(body[field] as string))
      problems.push(`${field} must be an ISO date-time in UTC`);
  }
  const start = Date.parse(String(body.utcStart));
  const end = Date.parse(String(body.utcEnd));
  if (start > end) problems.push('Start time cannot be greater than end time');
  return [start, end];
}

function checkMessageTime(
  time: unknown,
  where: string,
  [start, end]: [number, number],
  problems: string[]
): void {
  if (typeof time !== 'string' || !UTC.test(time)) {
    problems.push(`${where}.utcTimestamp must be in UTC`);
    return;
  }
  const ms = Date.parse(time);
  if (ms < start || ms > end)
    problems.push(`${where}: Message timestamp must be within the chat session start and end times`);
}

export function validateChat(body: Json): string[] {
  const problems: string[] = [];
  checkNoNullsOrPascalCase(body, '$', problems);
  if (typeof body.sessionId !== 'string' || !body.sessionId) problems.push('sessionId is required');
  const window = checkWindow(body, problems);
  const participants = body.participants;
  if (!Array.isArray(participants) || participants.length === 0)
    return [...problems, 'participants must not be empty'];
  participants.forEach((p: Json, i) => {
    if (typeof p.referenceId !== 'string' || !p.referenceId)
      problems.push(`participants[${i}].referenceId is required`);
    if (typeof p.type !== 'string' || !p.type) problems.push(`participants[${i}].type is required`);
    const messages = (p.messages ?? []) as Json[];
    if (!Array.isArray(messages)) problems.push(`participants[${i}].messages must be an array`);
    else
      messages.forEach((m, j) => {
        if (typeof m.content !== 'string')
          problems.push(`participants[${i}].messages[${j}].content is required`);
        checkMessageTime(m.utcTimestamp, `participants[${i}].messages[${j}]`, window, problems);
      });
  });
  return problems;
}

export function validateCase(body: Json): string[] {
  const problems: string[] = [];
  checkNoNullsOrPascalCase(body, '$', problems);
  if (typeof body.sessionId !== 'string' || !body.sessionId) problems.push('sessionId is required');
  const window = checkWindow(body, problems);
  const participants = body.participants;
  if (!Array.isArray(participants) || participants.length === 0)
    return [...problems, 'participants is required'];
  const ids = new Set<string>();
  participants.forEach((p: Json, i) => {
    if (typeof p.referenceId !== 'string' || !p.referenceId)
      problems.push(`participants[${i}].referenceId is required`);
    else ids.add(p.referenceId);
    if (typeof p.type !== 'string' || !p.type) problems.push(`participants[${i}].type is required`);
    if (p.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(String(p.email)))
      problems.push(`participants[${i}].email is not an e-mail address`);
  });
  const messages = body.messages;
  if (!Array.isArray(messages)) return [...problems, 'messages must be an array'];
  messages.forEach((m: Json, j) => {
    for (const field of ['senderReferenceId', 'channel', 'content']) {
      if (typeof m[field] !== 'string' || !m[field]) problems.push(`messages[${j}].${field} is required`);
    }
    if (typeof m.senderReferenceId === 'string' && !ids.has(m.senderReferenceId))
      problems.push(`messages[${j}].senderReferenceId matches no participant`);
    checkMessageTime(m.utcTimestamp, `messages[${j}]`, window, problems);
  });
  return problems;
}
