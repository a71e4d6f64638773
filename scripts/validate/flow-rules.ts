import type { ParsedMetadataFile } from './parsed-files.ts';
import type { Problem } from './problem.ts';
import { childrenNamed, childText } from './xml-walker.ts';

const RECORD_TRIGGERS = new Set(['RecordAfterSave', 'RecordBeforeSave', 'RecordBeforeDelete']);

/**
 * Our own flow rules, beyond Lightning Flow Scanner's:
 * - a record-triggered flow must have entry criteria (a trigger filter), otherwise it runs on every
 *   save of every record of the object: wasted CPU in the customer's transactions, and for us
 *   duplicate Conversation Closed events;
 * - on update it must also require the record to have changed to meet the criteria, so it fires once,
 *   on the transition to closed, not again on every later edit of a closed record.
 */
export function checkOwnFlowRules(flow: ParsedMetadataFile): Problem[] {
  const start = flow.root.children.find((c) => c.name === 'start');
  if (!start || !RECORD_TRIGGERS.has(childText(start, 'triggerType') ?? '')) return [];
  const problems: Problem[] = [];
  const report = (line: number, column: number, message: string): void => {
    problems.push({ file: flow.file, line, column, message });
  };
  const hasFilters = childrenNamed(start, 'filters').length > 0;
  const hasFormula = (childText(start, 'filterFormula') ?? '') !== '';
  const object = childText(start, 'object') ?? 'its object';
  if (!hasFilters && !hasFormula) {
    report(
      start.line,
      start.column,
      `record-triggered flow ${flow.fullName} has no trigger filter (entry criteria), so it runs on every save of every ${object} record; add <filters> (e.g. IsClosed EqualTo true) or a <filterFormula> to <start>`
    );
    return problems;
  }
  const recordTriggerType = childText(start, 'recordTriggerType') ?? '';
  const onUpdate = recordTriggerType === 'Update' || recordTriggerType === 'CreateAndUpdate';
  if (onUpdate && hasFilters && childText(start, 'doesRequireRecordChangedToMeetCriteria') !== 'true') {
    report(
      start.line,
      start.column,
      `record-triggered flow ${flow.fullName} runs whenever an updated ${object} meets its filters, not only when it starts to; set <doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria> in <start> so it fires once, on the transition`
    );
  }
  return problems;
}
