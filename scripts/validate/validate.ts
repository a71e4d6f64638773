import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkCrossReferences, customLabelNames } from './cross-references.ts';
import { scanFlows } from './flow-scan.ts';
import { Inventory } from './inventory.ts';
import { checkLwcReferences } from './lwc-references.ts';
import { loadMetadataSchema } from './metadata-schema.ts';
import { parseMetadataFiles, type ParsedMetadataFile } from './parsed-files.ts';
import { timed, type CheckResult, type Problem } from './problem.ts';
import { loadProject } from './project.ts';
import { resolveAndConvert, type ResolveOutcome } from './resolve-and-convert.ts';
import { checkAgainstSchema } from './schema-check.ts';
import { checkSfdxProjectJson } from './project-json.ts';
import { checkScratchDefinition } from './scratch-def.ts';

export type ValidationResult = {
  projectRoot: string;
  checks: CheckResult[];
  packageXml: string;
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

  checks.push(
    await timed('cross-references', 'references', async () => {
      const unparsed = metadataFiles.filter(
        (file) => !parsed.some((p) => p.absolutePath === file.absolutePath)
      );
      const inventory = new Inventory(parsed, project.namespace, unparsed);
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
    await timed('project JSON files (ajv, @salesforce/schemas)', 'files', async () => {
      const files =
        project.scratchDefinitionFiles.length > 0
          ? project.scratchDefinitionFiles
          : [DEFAULT_SCRATCH_DEFINITION];
      const problems: Problem[] = checkSfdxProjectJson(project.root);
      let checked = 1;
      for (const file of files) {
        if (!existsSync(join(project.root, file))) {
          if (project.scratchDefinitionFiles.includes(file)) {
            problems.push({
              file: 'sfdx-project.json',
              line: 1,
              column: 1,
              message: `definitionFile ${file} does not exist; create it or fix the path`
            });
          }
          continue;
        }
        checked++;
        problems.push(...checkScratchDefinition(project.root, file, loadMetadataSchema()));
      }
      return { checked, problems };
    })
  );

  return {
    projectRoot: project.root,
    checks,
    packageXml: resolved?.packageXml ?? '',
    durationMs: Math.round(performance.now() - start),
    ok: checks.every((check) => check.problems.length === 0)
  };
}
