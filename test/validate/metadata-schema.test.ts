import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadMetadataSchema } from '../../scripts/validate/metadata-schema.ts';
import { parseXml } from '../../scripts/validate/xml-walker.ts';

describe('schema derived from @salesforce/types', () => {
  const schema = loadMetadataSchema();

  it('follows intersections, enums, optional and repeated elements', () => {
    const start = schema.getType('FlowStart');
    // FlowStart = FlowNode & {...}: inherited locationX is required, the own triggerType an optional enum.
    assert.deepEqual(start?.fields.get('locationX'), {
      name: 'locationX',
      kind: 'number',
      array: false,
      required: true
    });
    assert.equal(start?.fields.get('triggerType')?.kind, 'enum');
    assert.ok(start?.fields.get('triggerType')?.enumValues?.includes('RecordAfterSave'));
    // Repeated elements may be absent: arrays are never required.
    assert.deepEqual(
      [start?.fields.get('filters')?.array, start?.fields.get('filters')?.required],
      [true, false]
    );
    assert.equal(schema.getType('Metadata')?.fields.get('fullName')?.required, false);
    assert.equal(schema.getType('NoSuchType'), undefined);
  });

  it('adds only the documented string enums to types the WSDL leaves as string', () => {
    const policies = schema.getType('ExtlClntAppOauthConfigurablePolicies');
    assert.deepEqual(policies?.fields.get('ipRelaxationPolicyType')?.enumValues, [
      'Enforce',
      'Bypass',
      'Bypass_2factor',
      'Enforce_RelaxRefresh'
    ]);
    assert.equal(policies?.fields.get('clientCredentialsFlowUser')?.kind, 'string');
  });
});

describe('xml walker', () => {
  it('keeps the 1-based line and column of each start tag', () => {
    const root = parseXml('<?xml version="1.0"?>\n<A>\n  <b>1</b>\n    <c><d>t</d></c>\n</A>\n');
    assert.deepEqual(
      [root, ...root.children, ...(root.children[1]?.children ?? [])].map((e) => [e.name, e.line, e.column]),
      [
        ['A', 2, 1],
        ['b', 3, 3],
        ['c', 4, 5],
        ['d', 4, 8]
      ]
    );
  });

  it('reports where XML stops being well-formed', () => {
    assert.throws(() => parseXml('<A>\n <b></c></A>'), { line: 2, message: /not well-formed/ });
  });
});
