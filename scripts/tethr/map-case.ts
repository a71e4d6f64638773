import type { CaptureCaseContact, CaptureCaseMessage, TethrCapture } from './capture-model.ts';
import { caseCapture } from './capture-model.ts';
import { htmlToText } from './html-text.ts';
import { present, splitName } from './person-name.ts';
import type { CaseCommentRecord, CaseRecord, EmailMessageRecord } from './salesforce-records.ts';
import { toUtcIso, widenWindow } from './utc-time.ts';
import type { MappingContext } from './mapping-context.ts';
import { tethrSessionId } from '../contracts/org-connection.ts';

// A Case becomes a CaptureCaseRequest: the subject and description open the case as the
// customer's first message, then every EmailMessage (incoming = customer, outgoing = the agent
// who sent it) and every CaseComment (written by an agent) in time order.
export function mapCase(
  record: CaseRecord,
  emails: readonly EmailMessageRecord[],
  comments: readonly CaseCommentRecord[],
  context: MappingContext
): TethrCapture {
  const customerId = record.ContactId ?? record.SuppliedEmail ?? `customer:${record.Id}`;
  const participants = new Map<string, CaptureCaseContact>();
  participants.set(customerId, {
    referenceId: customerId,
    type: 'Customer',
    ...splitName(record.Contact, record.SuppliedName),
    ...present({
      email: record.Contact?.Email ?? record.SuppliedEmail,
      phoneNumber: record.Contact?.Phone ?? record.SuppliedPhone
    })
  });
  const addAgent = (referenceId: string, name?: string | null, email?: string | null): string => {
    if (!participants.has(referenceId)) {
      participants.set(referenceId, {
        referenceId,
        type: 'Agent',
        ...splitName(null, name),
        ...present({ email })
      });
    }
    return referenceId;
  };

  const messages: CaptureCaseMessage[] = [];
  const opening = [record.Subject?.trim(), record.Description?.trim()].filter(Boolean).join('\n\n');
  if (opening) {
    messages.push({
      utcTimestamp: toUtcIso(record.CreatedDate, `Case ${record.Id} CreatedDate`),
      senderReferenceId: customerId,
      channel: (record.Origin ?? 'Web').toLowerCase(),
      content: opening
    });
  }
  for (const email of emails) {
    const content = email.TextBody?.trim() || (email.HtmlBody ? htmlToText(email.HtmlBody) : '');
    if (!content) continue;
    const sender = email.Incoming
      ? customerId
      : addAgent(
          email.CreatedById ?? `agent:${email.FromAddress ?? 'unknown'}`,
          email.FromName,
          email.FromAddress
        );
    messages.push({
      utcTimestamp: toUtcIso(email.MessageDate ?? email.CreatedDate, `EmailMessage ${email.Id} MessageDate`),
      senderReferenceId: sender,
      channel: 'email',
      content
    });
  }
  for (const comment of comments) {
    const content = comment.CommentBody?.trim();
    if (!content) continue;
    const sender = addAgent(comment.CreatedById ?? `agent:${comment.Id}`, comment.CreatedBy?.Name);
    messages.push({
      utcTimestamp: toUtcIso(comment.CreatedDate, `CaseComment ${comment.Id} CreatedDate`),
      senderReferenceId: sender,
      channel: 'comment',
      content
    });
  }
  if (record.OwnerId?.startsWith('005')) addAgent(record.OwnerId, record.Owner?.Name);
  messages.sort((a, b) => (a.utcTimestamp < b.utcTimestamp ? -1 : a.utcTimestamp > b.utcTimestamp ? 1 : 0));

  const created = toUtcIso(record.CreatedDate, `Case ${record.Id} CreatedDate`);
  const closed = record.ClosedDate ? toUtcIso(record.ClosedDate, `Case ${record.Id} ClosedDate`) : created;
  const window = widenWindow(
    created,
    closed,
    messages.map((m) => m.utcTimestamp)
  );
  return caseCapture({
    sessionId: tethrSessionId(context.orgId, record.Id, context.sessionIdScheme),
    ...window,
    messages,
    participants: [...participants.values()],
    metadata: {
      salesforce: present({
        orgId: context.orgId,
        objectType: 'Case',
        recordId: record.Id,
        caseNumber: record.CaseNumber,
        subject: record.Subject,
        status: record.Status,
        origin: record.Origin
      })
    }
  });
}
