import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureName } from '../contracts/channels.ts';
import { PACKAGE_ORDER, PACKAGES } from '../contracts/packages.ts';
import { loadMessages } from '../shared/messages.ts';
import { allowedFeatures, GATED_FEATURES, type GatedFeature } from './feature-gates.ts';
import { parseJsonFile, problemAt, type JsonFile } from './json-schema-check.ts';
import type { Problem } from './problem.ts';
import type { PackageDirectory, ProjectConfig } from './project.ts';

const messages = loadMessages('validate');

/**
 * What turns a gated feature on in a scratch org: features (case-insensitive, as Salesforce reads
 * them) and settings blocks. LiveMessage with liveMessageSettings is Messaging
 * (api_meta meta_livemessagesettings.htm); LiveAgent with liveAgentSettings is legacy Chat.
 */
export const SCRATCH_SHAPE: Readonly<Record<GatedFeature, { features: string[]; settings: string[] }>> = {
  Messaging: { features: ['LiveMessage'], settings: ['liveMessageSettings'] },
  LegacyChat: { features: ['LiveAgent', 'LegacyLiveAgentRouting'], settings: ['liveAgentSettings'] }
};

type ScratchDefinition = { json: JsonFile; features: string[]; settings: string[] };

/**
 * The packages as sfdx-project.json declares them, against scripts/contracts/packages.ts: every
 * packaged directory is a known package, each depends on exactly the package the contract names,
 * and each is built in a scratch definition of its own whose features match what it may depend on:
 * no feature the package must not need (so a build proves the package installs without it), and
 * every feature of the package below it (which installs into the same build org first).
 */
export function checkPackageLayout(project: ProjectConfig): { checked: number; problems: Problem[] } {
  const projectJson: JsonFile = {
    file: 'sfdx-project.json',
    text: project.projectJsonText,
    data: undefined
  };
  const problems: Problem[] = [];
  let checked = 0;
  const packaged = project.packageDirectories.filter((d) => d.packaged);
  const byKey = new Map(packaged.flatMap((d) => (d.key ? [[d.key, d] as const] : [])));
  const definitions = new Map<string, ScratchDefinition | undefined>();
  const definitionOf = (directory: PackageDirectory): ScratchDefinition | undefined => {
    const file = directory.definitionFile;
    if (!file) return undefined;
    if (!definitions.has(file)) definitions.set(file, readDefinition(project.root, file));
    return definitions.get(file);
  };

  for (const directory of packaged) {
    checked++;
    const at = (message: string): number =>
      problems.push(problemAt(projectJson, JSON.stringify(directory.path), message));
    if (!directory.key) {
      at(
        messages.getMessage('problem.unknownPackageDirectory', [
          directory.path,
          PACKAGE_ORDER.map((key) => PACKAGES[key].directory).join(', ')
        ])
      );
      continue;
    }
    const below = PACKAGES[directory.key].dependsOn;
    const expected = below ? byKey.get(below) : undefined;
    const named = directory.dependencies
      .map((d) => (d.package ?? '').replace(/@.*$/, ''))
      .filter((name) => packaged.some((p) => p.packageName === name));
    if (below && expected && (named.length !== 1 || named[0] !== expected.packageName)) {
      at(
        messages.getMessage('problem.packageDependency', [
          directory.packageName ?? '',
          directory.path,
          `${expected.packageName ?? ''} (${expected.path})`,
          named.length > 0 ? named.join(', ') : 'none',
          expected.packageName ?? ''
        ])
      );
    } else if (!below && named.length > 0) {
      at(
        messages.getMessage('problem.unexpectedDependency', [
          directory.packageName ?? '',
          directory.path,
          named.join(', ')
        ])
      );
    }
    if (!directory.definitionFile) {
      at(messages.getMessage('problem.noDefinitionFile', [directory.packageName ?? '', directory.path]));
      continue;
    }
    if (!existsSync(join(project.root, directory.definitionFile))) {
      problems.push(
        problemAt(
          projectJson,
          JSON.stringify(directory.definitionFile),
          messages.getMessage('problem.missingDefinitionFile', [directory.definitionFile])
        )
      );
      continue;
    }
    const definition = definitionOf(directory);
    if (!definition) continue;
    problems.push(...forbiddenFeatures(directory, definition));
    const dependencyDefinition = expected ? definitionOf(expected) : undefined;
    if (expected && dependencyDefinition) {
      problems.push(...missingFeatures(directory, definition, expected, dependencyDefinition));
    }
  }

  const sharers = new Map<string, PackageDirectory[]>();
  for (const directory of packaged) {
    if (!directory.definitionFile) continue;
    sharers.set(directory.definitionFile, [...(sharers.get(directory.definitionFile) ?? []), directory]);
  }
  for (const [file, directories] of sharers) {
    if (directories.length < 2) continue;
    problems.push(
      problemAt(
        projectJson,
        JSON.stringify(file),
        messages.getMessage('problem.sharedDefinitionFile', [
          directories.map((d) => d.packageName ?? d.path).join(', '),
          file
        ])
      )
    );
  }
  return { checked, problems };
}

function readDefinition(root: string, file: string): ScratchDefinition | undefined {
  const json = parseJsonFile(file, readFileSync(join(root, file), 'utf8'));
  // Syntax errors are the scratch definition check's to report.
  if (!('data' in json)) return undefined;
  const data = json.data as { features?: unknown; settings?: unknown };
  const features = Array.isArray(data.features)
    ? data.features.filter((f): f is string => typeof f === 'string')
    : [];
  const settings =
    data.settings && typeof data.settings === 'object' ? Object.keys(data.settings as object) : [];
  return { json, features, settings };
}

/** The feature name without a quantity (AddCustomObjects:5 -> AddCustomObjects), lower-cased. */
function featureKey(feature: string): string {
  return (feature.split(':')[0] ?? '').toLowerCase();
}

function forbiddenFeatures(directory: PackageDirectory, definition: ScratchDefinition): Problem[] {
  const allowed = allowedFeatures(directory.key);
  const problems: Problem[] = [];
  for (const gated of GATED_FEATURES) {
    if (allowed.includes(gated)) continue;
    const shape = SCRATCH_SHAPE[gated];
    const found = [
      ...definition.features.filter((f) => shape.features.some((s) => s.toLowerCase() === featureKey(f))),
      ...definition.settings.filter((s) => shape.settings.includes(s))
    ];
    for (const item of found) {
      problems.push(
        problemAt(
          definition.json,
          JSON.stringify(item),
          messages.getMessage('problem.scratchFeatureNotAllowed', [
            definition.json.file,
            directory.packageName ?? directory.path,
            item,
            featureName(gated),
            messages.getMessage('problem.scratchFeatureNotAllowed.why', [featureName(gated)]),
            featureName(gated)
          ])
        )
      );
    }
  }
  return problems;
}

function missingFeatures(
  directory: PackageDirectory,
  definition: ScratchDefinition,
  dependency: PackageDirectory,
  dependencyDefinition: ScratchDefinition
): Problem[] {
  const have = new Set(definition.features.map(featureKey));
  return dependencyDefinition.features
    .filter((feature) => !have.has(featureKey(feature)))
    .map((feature) =>
      problemAt(
        definition.json,
        '"features"',
        messages.getMessage('problem.scratchFeatureMissing', [
          definition.json.file,
          directory.packageName ?? directory.path,
          dependency.packageName ?? dependency.path,
          dependencyDefinition.json.file,
          feature,
          feature
        ])
      )
    );
}
