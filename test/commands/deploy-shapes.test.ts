import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHANNEL_REGISTRY } from '../../scripts/contracts/channels.ts';
import { permissionSetXml } from '../../scripts/org/access-permission-sets.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import type { StepResult } from '../../scripts/shared/step.ts';
import { SHAPE_CHANNELS, SHAPES, type ShapeName } from '../servers/salesforce/org-shapes.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { objectsReadIn, startShapedOrg, type ShapedOrg } from './shaped-org.ts';
import { runCommand } from './run-command.ts';

// `tethr-sf deploy` (unpackaged: scratch orgs, sandboxes, orgs without the package) in every shape
// of org: it deploys the base always, the Messaging extension's metadata only where
// MessagingSession exists and the generated access permission sets, and it says what it skipped
// and why. The shaped fake refuses a deploy
// that names an object the org lacks, with Salesforce's wording, so a deploy that sent the
// Messaging flow to a Case-only org would fail here.

const env = await useTemporarySfHome();
const { default: Deploy } = await import('../../scripts/commands/deploy.ts');
const { Org } = await import('@salesforce/core');
const { deployMetadata } = await import('../../scripts/org/deploy.ts');
after(() => env.restore());

const messages = loadMessages('deploy');
const MESSAGING_FLOW = CHANNEL_REGISTRY.MessagingSession.publisher!.flow;

interface DeployJson {
  status: number;
  result: { deployed: boolean; done?: boolean; steps: StepResult[] };
}

const hasMessaging = (shape: ShapeName) => SHAPE_CHANNELS[shape].includes('MessagingSession');
const hasChat = (shape: ShapeName) => SHAPE_CHANNELS[shape].includes('LiveChatTranscript');

for (const shape of SHAPES) {
  describe(`tethr-sf deploy, ${shape} org, unpackaged`, () => {
    let org: ShapedOrg;
    let json: DeployJson;
    before(async () => {
      org = await startShapedOrg(shape, { label: `${shape}.deploy` });
      const run = await runCommand(Deploy, ['--target-org', org.username, '--json']);
      assert.equal(run.error, undefined, `${run.error?.message}\n${run.error?.actions?.join('\n')}`);
      json = JSON.parse(run.stdout) as DeployJson;
    });
    after(() => org.fake.stop());

    it('deploys the base, and the Messaging flow only where the org has MessagingSession', () => {
      assert.equal(json.status, 0);
      assert.equal(json.result.deployed, true);
      assert.equal(json.result.done, true);
      const flows = org.fake.metadata.deploys
        .flatMap((d) => d.components)
        .filter((c) => c.type === 'Flow')
        .map((c) => c.fullName);
      assert.ok(flows.includes(CHANNEL_REGISTRY.Case.publisher!.flow), flows.join(', '));
      assert.equal(flows.includes(MESSAGING_FLOW), hasMessaging(shape), flows.join(', '));
      const absent = [
        ...(hasMessaging(shape) ? [] : ['MessagingSession']),
        ...(hasChat(shape) ? [] : ['LiveChatTranscript'])
      ];
      for (const component of org.fake.metadata.deploys.flatMap((d) => d.components)) {
        for (const object of absent)
          assert.ok(
            !component.content.includes(`${object}</object>`),
            `${component.fullName} names ${object}`
          );
      }
    });

    it('deploys the generated access permission sets for the objects this org has, and assigns nothing', () => {
      const granted = (name: string) =>
        [...org.fake.metadata.get('PermissionSet', name)!.content.matchAll(/<object>(\w+)<\/object>/g)]
          .map((m) => m[1]!)
          .sort();
      assert.deepEqual(granted('Tethr_Integration_Access'), objectsReadIn(shape));
      assert.deepEqual(granted('Tethr_Admin_Access'), [...SHAPE_CHANNELS[shape]].sort());
      assert.equal(json.result.steps.find((s) => s.step === 'Access permission sets')?.status, 'created');
      assert.deepEqual(org.fake.org.all('PermissionSetAssignment'), []);
    });

    it('reports what it skipped and why', () => {
      const step = (name: string) => json.result.steps.find((s) => s.step === name);
      assert.deepEqual(
        step('Messaging extension'),
        hasMessaging(shape)
          ? {
              step: 'Messaging extension',
              status: 'updated',
              detail: messages.getMessage('detail.messagingDeployed')
            }
          : {
              step: 'Messaging extension',
              status: 'skipped',
              detail: messages.getMessage('detail.messagingSkipped', [
                CHANNEL_REGISTRY.MessagingSession.missingHint
              ])
            }
      );
      assert.deepEqual(step('Legacy Chat'), {
        step: 'Legacy Chat',
        status: 'skipped',
        detail: messages.getMessage(hasChat(shape) ? 'detail.chatPresent' : 'detail.chatAbsent')
      });
    });
  });
}

describe('a Case-only org refuses a deploy that names a Chat object, as Salesforce does', () => {
  let org: ShapedOrg;
  before(async () => {
    org = await startShapedOrg('case-only', { label: 'case-only.refuses' });
  });
  after(() => org.fake.stop());

  it('fails the deploy whole, naming the component and the missing object', async () => {
    const conn = (await Org.create({ aliasOrUsername: org.username })).getConnection();
    const content = permissionSetXml({
      name: 'Tethr_Integration_Access',
      label: 'Tethr Integration Access',
      description: 'names an object this org lacks',
      objects: [{ object: 'LiveChatTranscript', read: true, create: false, edit: false, delete: false }],
      fields: [],
      userPermissions: []
    });
    await assert.rejects(
      deployMetadata(conn, {
        sourcePaths: [],
        templates: [],
        generated: [{ target: 'permissionsets/Tethr_Integration_Access.permissionset-meta.xml', content }],
        step: 'Access permission sets'
      }),
      (error: Error) => {
        assert.match(error.message, /In field: object - no CustomObject named LiveChatTranscript found/);
        return true;
      }
    );
    assert.equal(org.fake.metadata.get('PermissionSet', 'Tethr_Integration_Access'), undefined);
  });
});
