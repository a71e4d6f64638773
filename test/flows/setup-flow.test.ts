// The Tethr_Set_Up_Integration_User screen flow, run offline by the flow interpreter against a
// fake org: what it creates in a fresh org, in which order, that a re-run adds nothing twice, and
// that each failure names its step to the setup page.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { XmlElement } from '../../scripts/validate/xml-walker.ts';
import { childrenNamed, childText } from '../../scripts/validate/xml-walker.ts';
import { loadFlow, runFlow } from './flow-interpreter.ts';
import { SetupOrg } from './setup-org.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FLOW = path.join(ROOT, 'force-app/main/default/flows/Tethr_Set_Up_Integration_User.flow-meta.xml');
const ACCESS_COMPONENT = path.join(ROOT, 'force-app/main/default/lwc/tethrAccess/tethrAccess.js');
const channels = (await import(
  pathToFileURL(path.join(ROOT, 'force-app/main/default/lwc/tethrChannels/tethrChannels.js')).href
)) as {
  readsFor(channels: string[]): { object: string; fields: string[] }[];
  needsFieldPermission(object: string, field: string, info?: object): boolean;
};

const ADMIN = {
  Id: '005ADM',
  Email: 'admin@acme.example',
  TimeZoneSidKey: 'Europe/London',
  LocaleSidKey: 'en_GB',
  LanguageLocaleKey: 'en_US'
};
const USERNAME = 'tethr.integration@acme.example';

/** What the setup page passes for a Case-only org (the same functions the page uses). */
interface PageInputs {
  [name: string]: unknown;
  objectNames: string[];
  fieldNames: string[];
  existingUsername: string;
  accessPermissionSetName: string;
}

function pageInputs(existingUsername = ''): PageInputs {
  const reads = channels.readsFor(['Case']);
  return {
    objectNames: reads.map((read) => read.object),
    fieldNames: reads.flatMap((read) =>
      read.fields
        .filter((f) => channels.needsFieldPermission(read.object, f))
        .map((f) => `${read.object}.${f}`)
    ),
    existingUsername,
    accessPermissionSetName: 'Tethr_Integration_Access'
  };
}

function caseOnlyOrg(): SetupOrg {
  const inputs = pageInputs();
  return new SetupOrg({
    objects: inputs.objectNames,
    permissionableFields: inputs.fieldNames
  });
}

let flow: XmlElement;
before(async () => {
  flow = await loadFlow(FLOW);
});

const run = (
  org: SetupOrg,
  inputs = pageInputs(),
  answers: Record<string, string> = { Username: USERNAME }
) => runFlow(flow, org, { inputs, screenAnswers: answers, runningUser: ADMIN });

describe('Tethr_Set_Up_Integration_User', () => {
  test('takes exactly the inputs the setup page passes and returns what it reads', async () => {
    const source = await readFile(ACCESS_COMPONENT, 'utf8');
    const passed = [...source.matchAll(/name: '(\w+)',\s*type: 'String'/g)].map((m) => m[1]).sort();
    const variables = childrenNamed(flow, 'variables');
    const names = (flag: string) =>
      variables
        .filter((v) => childText(v, flag) === 'true')
        .map((v) => childText(v, 'name'))
        .sort();
    assert.deepEqual(names('isInput'), passed);
    assert.deepEqual(names('isOutput'), ['failedStep', 'faultMessage', 'integrationUsername']);
    for (const output of ['failedStep', 'faultMessage', 'integrationUsername']) {
      assert.ok(source.includes(`outputs.${output}`), `the page reads ${output}`);
    }
  });

  test('in a fresh org: the API-only user, its licence, the access permission set, then both assignments', () => {
    const org = caseOnlyOrg();
    const result = run(org);
    assert.deepEqual(result.screens, ['Ask_User_Details', 'Show_User_Ready', 'Show_Done']);
    assert.deepEqual(result.outputs, {
      failedStep: undefined,
      faultMessage: undefined,
      integrationUsername: USERNAME
    });
    assert.deepEqual(
      org.inserted.map((i) => i.object),
      [
        'User',
        'PermissionSetLicenseAssign',
        'PermissionSet',
        'ObjectPermissions',
        'ObjectPermissions',
        'ObjectPermissions',
        'ObjectPermissions',
        ...pageInputs().fieldNames.map(() => 'FieldPermissions'),
        'PermissionSetAssignment',
        'PermissionSetAssignment'
      ]
    );
    const [user] = org.query('User', { Username: USERNAME });
    assert.equal(user?.ProfileId, '00eAPI');
    assert.equal(user?.TimeZoneSidKey, 'Europe/London');
    const [accessSet] = org.query('PermissionSet', { Name: 'Tethr_Integration_Access' });
    assert.equal(accessSet?.PermissionsApiEnabled, true);
    const objectPermissions = org.query('ObjectPermissions', { ParentId: accessSet?.Id });
    assert.deepEqual(
      objectPermissions.map((p) => p.SobjectType),
      ['Case', 'Contact', 'EmailMessage', 'CaseComment']
    );
    // Read only: no create, edit, delete, view all or modify all.
    for (const permission of objectPermissions) {
      assert.deepEqual(Object.keys(permission).sort(), ['Id', 'ParentId', 'PermissionsRead', 'SobjectType']);
    }
    assert.deepEqual(
      org.query('FieldPermissions', { ParentId: accessSet?.Id }).map((p) => p.Field),
      pageInputs().fieldNames
    );
    assert.deepEqual(
      org.query('PermissionSetAssignment', { AssigneeId: user?.Id }).map((a) => a.PermissionSetId),
      [accessSet?.Id, '0PSPKG']
    );
    assert.match(
      result.lastScreenText,
      /Done: tethr\.integration@acme\.example is the Tethr integration user/
    );
  });

  test('the new user and its licence are committed before any permission set work (mixed DML)', () => {
    const org = caseOnlyOrg();
    const result = run(org);
    assert.deepEqual(result.transactions[0], ['User', 'PermissionSetLicenseAssign']);
    for (const transaction of result.transactions.slice(1)) assert.ok(!transaction.includes('User'));
  });

  test('run again for the existing user: asks nothing and creates nothing', () => {
    const org = caseOnlyOrg();
    run(org);
    const before = org.inserted.length;
    const again = run(org, pageInputs(USERNAME), {});
    assert.deepEqual(again.screens, ['Show_User_Ready', 'Show_Done']);
    assert.equal(org.inserted.length, before);
    assert.equal(again.outputs.integrationUsername, USERNAME);
  });

  test('completes a partial setup: only the missing object and field permissions are added', () => {
    const org = caseOnlyOrg();
    const first = pageInputs();
    run(org, { ...first, objectNames: ['Case'], fieldNames: ['Case.Subject'] });
    const added = org.inserted.length;
    const result = run(org, pageInputs(USERNAME), {});
    assert.equal(result.outputs.failedStep, undefined);
    const newObjects = org.inserted.slice(added).filter((i) => i.object === 'ObjectPermissions');
    assert.deepEqual(
      newObjects.map((i) => i.record.SobjectType),
      ['Contact', 'EmailMessage', 'CaseComment']
    );
    const newFields = org.inserted.slice(added).filter((i) => i.object === 'FieldPermissions');
    assert.equal(newFields.length, first.fieldNames.length - 1);
    assert.ok(!newFields.some((i) => i.record.Field === 'Case.Subject'));
  });

  test('a field Salesforce refuses stops at the field step, creates none of them, and names it', () => {
    const org = caseOnlyOrg();
    const inputs = pageInputs();
    const result = run(org, { ...inputs, fieldNames: [...inputs.fieldNames, 'Case.CaseNumber'] });
    assert.deepEqual(result.screens, ['Ask_User_Details', 'Show_User_Ready', 'Show_Failure']);
    assert.equal(result.outputs.failedStep, 'Grant read access to the fields');
    assert.equal(
      result.outputs.faultMessage,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Field Name: bad value for restricted picklist field: Case.CaseNumber'
    );
    assert.equal(org.query('FieldPermissions', {}).length, 0);
    assert.match(result.lastScreenText, /The setup stopped at: Grant read access to the fields\./);
    // Fixed input, run again: it finishes the job without duplicates.
    const retry = run(org, pageInputs(USERNAME), {});
    assert.equal(retry.outputs.failedStep, undefined);
    assert.equal(org.query('ObjectPermissions', {}).length, 4);
    assert.equal(org.query('FieldPermissions', {}).length, inputs.fieldNames.length);
  });

  test("a username taken elsewhere stops at the user step with Salesforce's message", () => {
    const org = caseOnlyOrg();
    org.table('User').push({ Id: '005OTH', Username: USERNAME, ProfileId: '00eADM' });
    const result = run(org, pageInputs(), { Username: USERNAME });
    assert.equal(result.outputs.failedStep, 'Create the integration user');
    assert.match(String(result.outputs.faultMessage), /^DUPLICATE_USERNAME: Duplicate Username\./);
    assert.equal(org.inserted.length, 0);
  });

  test('an org without the integration licence is told so, before any permission set is touched', () => {
    const inputs = pageInputs();
    const org = new SetupOrg({
      objects: inputs.objectNames,
      permissionableFields: inputs.fieldNames,
      hasIntegrationLicence: false
    });
    const result = run(org);
    assert.equal(result.outputs.failedStep, 'Assign the Salesforce API Integration permission set licence');
    assert.match(String(result.outputs.faultMessage), /no Salesforce API Integration permission set licence/);
    assert.deepEqual(
      org.inserted.map((i) => i.object),
      ['User']
    );
  });

  test('without the package installed it stops at the assignment step and says to install it', () => {
    const inputs = pageInputs();
    const org = new SetupOrg({
      objects: inputs.objectNames,
      permissionableFields: inputs.fieldNames,
      hasPackagedPermissionSet: false
    });
    const result = run(org);
    assert.equal(result.outputs.failedStep, 'Assign the permission sets');
    assert.match(
      String(result.outputs.faultMessage),
      /Tethr Integration User permission set is not installed/
    );
  });
});
