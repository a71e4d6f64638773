import { readFile } from 'node:fs/promises';
import { childrenNamed, childText, parseXml, type XmlElement } from '../../scripts/validate/xml-walker.ts';

// A small interpreter for the screen flows we ship, so their logic is tested offline the way a
// flow interview runs it: element by element, with fault connectors, loops, decisions, formulas,
// screens answered by the test, and record operations against a fake org that refuses what
// Salesforce refuses. It implements only the elements and operators our flows use and fails
// loudly on anything else, so a new construct in a flow cannot pass untested.

export type SRecord = Record<string, unknown>;

/** The record store a flow talks to; throws an Error with Salesforce's message to refuse. */
export interface FlowOrg {
  query(object: string, filters: Record<string, unknown>): SRecord[];
  insert(object: string, records: SRecord[]): string[];
}

export interface FlowRun {
  outputs: Record<string, unknown>;
  screens: string[];
  /** text shown on the last screen, merge fields filled in */
  lastScreenText: string;
  /** the objects each transaction created records of: a screen ends a transaction */
  transactions: string[][];
}

export interface RunOptions {
  inputs: Record<string, unknown>;
  /** values the person types on each screen, by screen field name */
  screenAnswers?: Record<string, string>;
  runningUser: SRecord;
  maxSteps?: number;
}

type Value = unknown;

export async function loadFlow(file: string): Promise<XmlElement> {
  return parseXml(await readFile(file, 'utf8'));
}

export function runFlow(flow: XmlElement, org: FlowOrg, options: RunOptions): FlowRun {
  const elements = new Map<string, XmlElement>();
  for (const child of flow.children) {
    const name = childText(child, 'name');
    if (name) elements.set(name, child);
  }
  const vars = new Map<string, Value>();
  for (const variable of childrenNamed(flow, 'variables')) {
    const name = childText(variable, 'name') ?? '';
    const collection = childText(variable, 'isCollection') === 'true';
    const sobject = childText(variable, 'dataType') === 'SObject';
    vars.set(name, collection ? [] : sobject ? {} : undefined);
    if (childText(variable, 'isInput') === 'true' && name in options.inputs)
      vars.set(name, options.inputs[name]);
  }
  const formulas = new Map(childrenNamed(flow, 'formulas').map((f) => [childText(f, 'name') ?? '', f]));
  const templates = new Map(childrenNamed(flow, 'textTemplates').map((t) => [childText(t, 'name') ?? '', t]));
  const loopState = new Map<string, { items: Value[]; index: number }>();
  let faultMessage = '';
  const screens: string[] = [];
  let lastScreenText = '';
  const transactions: string[][] = [[]];

  const reference = (ref: string): Value => {
    const [head = '', ...path] = ref.split('.');
    let value: Value;
    if (head === '$Flow' && path[0] === 'FaultMessage') return faultMessage;
    if (head === '$Flow' && path[0] === 'CurrentDateTime') return new Date().toISOString();
    if (head === '$User') value = options.runningUser;
    else if (formulas.has(head)) value = evaluateFormula(childText(formulas.get(head)!, 'expression') ?? '');
    else if (templates.has(head)) value = merge(childText(templates.get(head)!, 'text') ?? '');
    else if (loopState.has(head)) {
      const state = loopState.get(head)!;
      value = state.items[state.index - 1];
    } else if (vars.has(head)) value = vars.get(head);
    else
      throw new Error(
        `flow references ${ref}, which is no variable, formula, template, loop or stored element`
      );
    for (const key of path)
      value = value === null || value === undefined ? undefined : (value as SRecord)[key];
    return value;
  };
  const merge = (text: string): string =>
    text.replace(/\{!([^}]+)\}/g, (_, ref: string) => String(reference(ref) ?? ''));
  const evaluateFormula = (expression: string): Value => {
    const js = expression
      .replace(/\{!([^}]+)\}/g, (_, ref: string) => `r(${JSON.stringify(ref)})`)
      .replace(/&/g, '+');
    const LEFT = (text: string, count: number): string => String(text).slice(0, Math.max(0, count));
    const FIND = (search: string, text: string): number => String(text).indexOf(search) + 1;
    return new Function('r', 'LEFT', 'FIND', `return (${js});`)(reference, LEFT, FIND);
  };
  const valueOf = (holder: XmlElement | undefined): Value => {
    const value =
      holder &&
      holder.children.find((c) => c.name === 'value' || c.name === 'rightValue' || c.name === 'defaultValue');
    const leaf = value?.children[0] ?? holder?.children[0];
    if (!leaf) return undefined;
    switch (leaf.name) {
      case 'elementReference':
        return reference(leaf.text.trim());
      case 'stringValue':
        return leaf.text;
      case 'booleanValue':
        return leaf.text.trim() === 'true';
      case 'numberValue':
        return Number(leaf.text);
      default:
        throw new Error(`value kind ${leaf.name} is not interpreted`);
    }
  };
  const target = (element: XmlElement, connector: string): string | undefined => {
    const c = element.children.find((child) => child.name === connector);
    return c ? childText(c, 'targetReference') : undefined;
  };
  const assign = (ref: string, value: Value): void => {
    const [head = '', field] = ref.split('.');
    if (field) (vars.get(head) as SRecord)[field] = value;
    else vars.set(head, value);
  };
  const condition = (c: XmlElement): boolean => {
    const left = reference(childText(c, 'leftValueReference') ?? '');
    const right = valueOf(c.children.find((x) => x.name === 'rightValue'));
    const empty =
      left === undefined || left === null || left === '' || (Array.isArray(left) && left.length === 0);
    switch (childText(c, 'operator')) {
      case 'IsBlank':
      case 'IsEmpty':
        return empty === right;
      case 'IsNull':
        return (left === undefined || left === null) === right;
      case 'Contains':
        return String(left ?? '').includes(String(right));
      case 'EqualTo':
        return left === right;
      default:
        throw new Error(`operator ${childText(c, 'operator')} is not interpreted`);
    }
  };

  let current: string | undefined = target(
    flow.children.find((c) => c.name === 'start')!,
    'connector'
  );
  for (let step = 0; current; step++) {
    if (step > (options.maxSteps ?? 10_000)) throw new Error('the flow did not end (a loop without exit?)');
    const element = elements.get(current);
    if (!element) throw new Error(`connector to ${current}, which is no element`);
    const fault = (error: unknown): string => {
      faultMessage = (error as Error).message;
      const to = target(element, 'faultConnector');
      if (!to) throw error;
      return to;
    };
    switch (element.name) {
      case 'decisions': {
        const rule = childrenNamed(element, 'rules').find((r) =>
          childrenNamed(r, 'conditions').every(condition)
        );
        current = rule ? target(rule, 'connector') : target(element, 'defaultConnector');
        break;
      }
      case 'assignments':
        for (const item of childrenNamed(element, 'assignmentItems')) {
          const ref = childText(item, 'assignToReference') ?? '';
          const value = valueOf(item);
          const operator = childText(item, 'operator');
          if (operator === 'Assign') assign(ref, value);
          else if (operator === 'Add') {
            const existing = reference(ref);
            if (Array.isArray(existing)) existing.push(structuredClone(value));
            else assign(ref, `${existing ?? ''}${value ?? ''}`);
          } else throw new Error(`assignment operator ${operator} is not interpreted`);
        }
        current = target(element, 'connector');
        break;
      case 'loops': {
        const name = childText(element, 'name') ?? '';
        let state = loopState.get(name);
        if (!state) {
          const items = reference(childText(element, 'collectionReference') ?? '');
          state = { items: Array.isArray(items) ? [...items] : [], index: 0 };
          loopState.set(name, state);
        }
        if (state.index < state.items.length) {
          state.index++;
          current = target(element, 'nextValueConnector');
        } else {
          loopState.delete(name);
          current = target(element, 'noMoreValuesConnector');
        }
        break;
      }
      case 'recordLookups': {
        const filters = Object.fromEntries(
          childrenNamed(element, 'filters').map((f) => {
            if (childText(f, 'operator') !== 'EqualTo')
              throw new Error('only EqualTo filters are interpreted');
            return [childText(f, 'field') ?? '', valueOf(f)];
          })
        );
        try {
          const rows = org.query(childText(element, 'object') ?? '', filters);
          const first = childText(element, 'getFirstRecordOnly') === 'true';
          vars.set(childText(element, 'name') ?? '', first ? (rows[0] ?? null) : rows);
          current = target(element, 'connector');
        } catch (error) {
          current = fault(error);
        }
        break;
      }
      case 'recordCreates': {
        try {
          const inputReference = childText(element, 'inputReference');
          let object: string;
          let records: SRecord[];
          if (inputReference) {
            const value = reference(inputReference);
            records = (Array.isArray(value) ? value : [value]) as SRecord[];
            const variable = childrenNamed(flow, 'variables').find(
              (v) => childText(v, 'name') === inputReference
            );
            object = childText(variable!, 'objectType') ?? '';
          } else {
            object = childText(element, 'object') ?? '';
            records = [
              Object.fromEntries(
                childrenNamed(element, 'inputAssignments').map((a) => [
                  childText(a, 'field') ?? '',
                  valueOf(a)
                ])
              )
            ];
          }
          const ids = org.insert(object, records);
          transactions[transactions.length - 1]!.push(object);
          const idRef = childText(element, 'assignRecordIdToReference');
          if (idRef) assign(idRef, ids[0]);
          current = target(element, 'connector');
        } catch (error) {
          current = fault(error);
        }
        break;
      }
      case 'screens': {
        screens.push(childText(element, 'name') ?? '');
        transactions.push([]);
        const texts: string[] = [];
        for (const field of childrenNamed(element, 'fields')) {
          const name = childText(field, 'name') ?? '';
          if (childText(field, 'fieldType') === 'DisplayText')
            texts.push(merge(childText(field, 'fieldText') ?? ''));
          else if (childText(field, 'fieldType') === 'InputField') {
            const answer = options.screenAnswers?.[name];
            const value = answer ?? valueOf(field.children.find((c) => c.name === 'defaultValue'));
            if (childText(field, 'isRequired') === 'true' && (value === undefined || value === ''))
              throw new Error(
                `screen ${childText(element, 'name')} requires ${name}, and the test gave no answer`
              );
            vars.set(name, value);
          } else throw new Error(`screen field type ${childText(field, 'fieldType')} is not interpreted`);
        }
        lastScreenText = texts
          .join('\n')
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim();
        current = target(element, 'connector');
        break;
      }
      default:
        throw new Error(`flow element kind ${element.name} is not interpreted`);
    }
  }
  const outputs: Record<string, unknown> = {};
  for (const variable of childrenNamed(flow, 'variables')) {
    if (childText(variable, 'isOutput') === 'true')
      outputs[childText(variable, 'name') ?? ''] = vars.get(childText(variable, 'name') ?? '');
  }
  return { outputs, screens, lastScreenText, transactions: transactions.filter((t) => t.length > 0) };
}
