// The one committed External Client App ships as `Packaged`; the sfdx-project.json "replacements"
// turn it into an org-local app for unpackaged deploys. These tests convert the real project with
// source-deploy-retrieve, the way a deploy does, and read what would go to the org.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const HEADER = 'force-app/main/default/externalClientApps/Tethr_Integration.eca-meta.xml';
const SETTINGS = 'force-app/main/default/extlClntAppOauthSettings/Tethr_Integration.ecaOauth-meta.xml';

/**
 * A copy of the project's sfdx-project.json and ECA files, as they look once the app has been
 * created in the Dev Hub and retrieved (docs/metadata.md): with the links to the packaging org.
 */
async function projectAfterDevHubRetrieve(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tethr-eca-project-'));
  await cp(join(REPOSITORY, 'sfdx-project.json'), join(root, 'sfdx-project.json'));
  for (const file of [HEADER, SETTINGS]) await cp(join(REPOSITORY, file), join(root, file));
  const header = await readFile(join(root, HEADER), 'utf8');
  await writeFile(
    join(root, HEADER),
    header.replace(
      '</label>',
      '</label>\n  <orgScopedExternalApp>00D000000000001EAA:Tethr_Integration</orgScopedExternalApp>'
    )
  );
  const settings = await readFile(join(root, SETTINGS), 'utf8');
  await writeFile(
    join(root, SETTINGS),
    settings.replace('</label>', '</label>\n  <oauthLink>00D000000000001EAA:Tethr_Integration</oauthLink>')
  );
  return root;
}

/** Converts the ECA header and OAuth settings with the given environment; returns the converted XML. */
async function convertWith(env: Record<string, string>): Promise<{ header: string; settings: string }> {
  const project = await projectAfterDevHubRetrieve();
  const output = join(project, 'converted');
  const saved = new Map<string, string | undefined>();
  const all = { SF_APPLY_REPLACEMENTS_ON_CONVERT: 'true', ...env };
  for (const [key, value] of Object.entries(all)) {
    saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  try {
    const set = ComponentSet.fromSource({ fsPaths: [join(project, HEADER), join(project, SETTINGS)] });
    set.projectDirectory = project;
    await new MetadataConverter().convert(set, 'metadata', {
      type: 'directory',
      outputDirectory: output,
      genUniqueDir: false
    });
    return {
      header: await readFile(join(output, 'externalClientApps/Tethr_Integration.eca'), 'utf8'),
      settings: await readFile(join(output, 'extlClntAppOauthSettings/Tethr_Integration.ecaOauth'), 'utf8')
    };
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(project, { recursive: true, force: true });
  }
}

describe('External Client App replacements (sfdx-project.json)', () => {
  it('keeps the app Packaged when no deploy variable is set (the package build)', async () => {
    const { header, settings } = await convertWith({});
    assert.match(header, /<distributionState>Packaged<\/distributionState>/);
    assert.match(
      header,
      /<orgScopedExternalApp>00D000000000001EAA:Tethr_Integration<\/orgScopedExternalApp>/
    );
    assert.match(settings, /<oauthLink>00D000000000001EAA:Tethr_Integration<\/oauthLink>/);
    assert.match(settings, /<commaSeparatedOauthScopes>Api<\/commaSeparatedOauthScopes>/);
  });

  it('turns the app Local and drops the packaging-org links for an unpackaged deploy', async () => {
    const { header, settings } = await convertWith({ TETHR_ECA_DISTRIBUTION_STATE: 'Local' });
    assert.match(header, /<distributionState>Local<\/distributionState>/);
    assert.doesNotMatch(header, /Packaged|orgScopedExternalApp/);
    assert.doesNotMatch(settings, /oauthLink/);
    assert.match(settings, /<commaSeparatedOauthScopes>Api<\/commaSeparatedOauthScopes>/);
  });
});

describe('External Client App replacements with both packages', () => {
  const FLOW = 'force-app-messaging/main/default/flows/Tethr_Messaging_Session_Ended.flow-meta.xml';

  /** Converts the ECA header and the Messaging extension's flow together, as one deploy of both packages would. */
  async function convertBothPackages(env: Record<string, string>): Promise<{ header: string; flow: string }> {
    const project = await projectAfterDevHubRetrieve();
    await cp(join(REPOSITORY, FLOW), join(project, FLOW));
    const output = join(project, 'converted');
    const saved = new Map<string, string | undefined>();
    for (const [key, value] of Object.entries({ SF_APPLY_REPLACEMENTS_ON_CONVERT: 'true', ...env })) {
      saved.set(key, process.env[key]);
      process.env[key] = value;
    }
    try {
      const set = ComponentSet.fromSource({ fsPaths: [join(project, HEADER), join(project, FLOW)] });
      set.projectDirectory = project;
      await new MetadataConverter().convert(set, 'metadata', {
        type: 'directory',
        outputDirectory: output,
        genUniqueDir: false
      });
      return {
        header: await readFile(join(output, 'externalClientApps/Tethr_Integration.eca'), 'utf8'),
        flow: await readFile(join(output, 'flows/Tethr_Messaging_Session_Ended.flow'), 'utf8')
      };
    } finally {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await rm(project, { recursive: true, force: true });
    }
  }

  it('turns only the base package app Local and leaves the extension as committed', async () => {
    const source = await readFile(join(REPOSITORY, FLOW), 'utf8');
    const local = await convertBothPackages({ TETHR_ECA_DISTRIBUTION_STATE: 'Local' });
    assert.match(local.header, /<distributionState>Local<\/distributionState>/);
    assert.equal(local.flow, source);
    const packaged = await convertBothPackages({});
    assert.match(packaged.header, /<distributionState>Packaged<\/distributionState>/);
    assert.equal(packaged.flow, source);
  });
});
