import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkCrossReferences, customLabelNames } from './cross-references.ts';
import { scanFlows } from './flow-scan.ts';
import { Inventory } from './inventory.ts';
import { checkLwcReferences } from './lwc-references.ts';
import { loadMetadataSchema } from './metadata-schema.ts';
import { parseMetadataFiles, type ParsedMetadataFile } from './parsed-files.ts';
import { timed, type CheckResult, type Problem } from './problem.ts';
import { loadProject, type ProjectConfig } from './project.ts';
import { resolveAndConvert, type ResolveOutcome } from './resolve-and-convert.ts';
import { checkAgainstSchema } from './schema-check.ts';
import { checkSfdxProjectJson } from './project-json.ts';
import { checkScratchDefinition } from './scratch-def.ts';
import { checkFeatureDependencies } from './feature-dependencies.ts';
import { checkPackagedPermissionSets } from './packaged-permission-sets.ts';
import { checkPackageLayout } from './package-layout.ts';
import { loadMessages } from '../shared/messages.ts';

const messages = loadMessages('validate');

export type ValidationResult = {
  projectRoot: string;
  project: ProjectConfig;
  checks: CheckResult[];
  /** The package.xml of each package directory on its own, keyed by its path in sfdx-project.json. */
  packageXmls: Map<string, string>;
  durationMs: number;
  ok: boolean;
};

const DEFAULT_SCRATCH_DEFINITION = 'config/project-scratch-def.json';

/** Runs every offline check on the SFDX project in `projectDir`. */
export async function validateProject(projectDir: string): Promise<ValidationResult> {
  const start = performance.now();
  const project = loadProject(projectDir);
  const checks: CheckResult[] = [];

  let resolved: ResolveOutcome | undefined;
  checks.push(
    await timed('source-deploy-retrieve resolve + convert', 'files', async () => {
      resolved = await resolveAndConvert(project);
      return { checked: resolved.filesSeen, problems: resolved.problems, notes: resolved.notes };
    })
  );
  const metadataFiles = resolved?.metadataXmlFiles ?? [];

  let parsed: ParsedMetadataFile[] = [];
  checks.push(
    await timed('metadata XML against @salesforce/types', 'files', async () => {
      const schema = loadMetadataSchema();
      const result = await parseMetadataFiles(metadataFiles);
      parsed = result.parsed;
      const problems: Problem[] = [...result.problems];
      for (const file of parsed) {
        problems.push(
          ...checkAgainstSchema(file.root, schema, {
            file: file.file,
            expectedType: file.typeName,
            allowPlaceholders: !file.packageDirectory.packaged,
            declaredReplacements: project.declaredReplacements
          })
        );
      }
      return { checked: metadataFiles.length, problems };
    })
  );

  // Files that did not parse still exist: references to them must not cascade into more problems.
  const unparsed = metadataFiles.filter((file) => !parsed.some((p) => p.absolutePath === file.absolutePath));
  const inventory = new Inventory(parsed, project.namespace, unparsed);

  checks.push(
    await timed('cross-references', 'references', async () => {
      const metadata = checkCrossReferences(parsed, inventory, project.namespace);
      const lwc = await checkLwcReferences(
        resolved?.components ?? [],
        inventory,
        customLabelNames(parsed),
        project.root
      );
      return { checked: metadata.checked + lwc.checked, problems: [...metadata.problems, ...lwc.problems] };
    })
  );

  checks.push(
    await timed('flows (Lightning Flow Scanner + own rules)', 'flows', async () =>
      scanFlows(parsed.filter((file) => file.typeName === 'Flow'))
    )
  );

  checks.push(
    await timed(messages.getMessage('check.packaging'), 'references', async () => {
      const layout = checkPackageLayout(project);
      const dependencies = await checkFeatureDependencies(
        parsed,
        resolved?.components ?? [],
        project.packageDirectories,
        project.root
      );
      const permissions = checkPackagedPermissionSets(parsed, inventory);
      return {
        checked: layout.checked + dependencies.checked + permissions.checked,
        problems: [...layout.problems, ...dependencies.problems, ...permissions.problems].sort(
          (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column
        )
      };
    })
  );

  checks.push(
    await timed('project JSON files (ajv, @salesforce/schemas)', 'files', async () => {
      // Every package's build definition, and the development org's definition where it exists.
      const files = [
        ...new Set([
          ...project.scratchDefinitionFiles,
          ...(existsSync(join(project.root, DEFAULT_SCRATCH_DEFINITION)) ? [DEFAULT_SCRATCH_DEFINITION] : [])
        ])
      ].filter((file) => existsSync(join(project.root, file)));
      const problems: Problem[] = checkSfdxProjectJson(project.root);
      for (const file of files) {
        problems.push(...checkScratchDefinition(project.root, file, loadMetadataSchema()));
      }
      return { checked: 1 + files.length, problems };
    })
  );

  return {
    projectRoot: project.root,
    project,
    checks,
    packageXmls: resolved?.packageXmls ?? new Map(),
    durationMs: Math.round(performance.now() - start),
    ok: checks.every((check) => check.problems.length === 0)
  };
}
