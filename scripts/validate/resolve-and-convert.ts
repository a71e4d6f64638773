import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  ComponentSet,
  ForceIgnore,
  MetadataConverter,
  MetadataResolver,
  RegistryAccess,
  type SourceComponent
} from '@salesforce/source-deploy-retrieve';
import type { PackageDirectory, ProjectConfig } from './project.ts';
import type { Problem } from './problem.ts';

/** A metadata XML file as SDR resolved it: the file and the metadata type it belongs to. */
export type MetadataXmlFile = {
  absolutePath: string;
  /** Relative to the project root, forward slashes. */
  file: string;
  typeName: string;
  fullName: string;
  packageDirectory: PackageDirectory;
};

export type ResolveOutcome = {
  components: SourceComponent[];
  metadataXmlFiles: MetadataXmlFile[];
  /** The package.xml of each package directory on its own, keyed by its path in sfdx-project.json. */
  packageXmls: Map<string, string>;
  filesSeen: number;
  problems: Problem[];
  notes: string[];
};

/**
 * Resolves every file of every package directory with source-deploy-retrieve (the library the sf CLI
 * deploys with) and converts the result to metadata format, so that anything the CLI would reject or
 * silently leave out shows up here first.
 */
export async function resolveAndConvert(project: ProjectConfig): Promise<ResolveOutcome> {
  const registry = new RegistryAccess(undefined, project.root);
  const forceIgnore = ForceIgnore.findAndCreate(project.root);
  const rel = (path: string): string => relative(project.root, path).split('\\').join('/');
  const problems: Problem[] = [];
  const ignored: string[] = [];
  const components: SourceComponent[] = [];
  const metadataXmlFiles: MetadataXmlFile[] = [];
  const packageXmls = new Map<string, string>();
  let filesSeen = 0;

  for (const directory of project.packageDirectories) {
    const files = await listFiles(directory.absolutePath);
    if (files === undefined) {
      problems.push({
        file: 'sfdx-project.json',
        line: 1,
        column: 1,
        message: `package directory ${directory.path} does not exist; create it or remove it from packageDirectories`
      });
      continue;
    }
    filesSeen += files.length;
    const resolved = resolveDirectory(registry, directory.absolutePath, files, (file, message) =>
      problems.push({ file: rel(file), line: 1, column: 1, message })
    );
    const covered = new Set<string>();
    const checkedXml = new Set<string>();
    packageXmls.set(directory.path, await manifestOf(resolved, registry, project.sourceApiVersion));
    for (const component of resolved) {
      components.push(component);
      for (const part of [component, ...allChildren(component)]) {
        // Children of non-decomposed types (CustomLabel in CustomLabels) share the parent's file:
        // the file is checked once, as the parent's type.
        if (part.xml && !checkedXml.has(part.xml)) {
          checkedXml.add(part.xml);
          covered.add(part.xml);
          metadataXmlFiles.push({
            absolutePath: part.xml,
            file: rel(part.xml),
            typeName: part.type.name,
            fullName: part.fullName,
            packageDirectory: directory
          });
        }
        for (const content of part.content ? part.walkContent() : []) covered.add(content);
      }
    }
    for (const file of files) {
      if (covered.has(file)) continue;
      if (forceIgnore.denies(file)) {
        ignored.push(rel(file));
        continue;
      }
      problems.push({
        file: rel(file),
        line: 1,
        column: 1,
        message:
          'source-deploy-retrieve does not pick up this file, so deploys and the package would silently leave it out; fix its folder or suffix, move it out of the package directory, or name it in .forceignore on purpose'
      });
    }
  }

  const set = new ComponentSet(components, registry);
  if (project.sourceApiVersion) set.sourceApiVersion = project.sourceApiVersion;
  await convertToMetadataFormat(set, registry, (message) =>
    problems.push({ file: 'sfdx-project.json', line: 1, column: 1, message })
  );

  const notes = [`${components.length} components resolved`];
  if (ignored.length > 0) {
    notes.push(`${ignored.length} file(s) left out on purpose by .forceignore: ${summarise(ignored)}`);
  }
  return { components, metadataXmlFiles, packageXmls, filesSeen, problems, notes };
}

/** The manifest of one package directory: what `sf package version create` would put in that package. */
async function manifestOf(
  components: SourceComponent[],
  registry: RegistryAccess,
  sourceApiVersion: string | undefined
): Promise<string> {
  const set = new ComponentSet(components, registry);
  if (sourceApiVersion) set.sourceApiVersion = sourceApiVersion;
  return set.getPackageXml();
}

/**
 * Resolves a whole directory in one pass; if SDR stops at a file it cannot type, resolves file by file
 * so that every such file is reported, not just the first.
 */
function resolveDirectory(
  registry: RegistryAccess,
  directory: string,
  files: string[],
  onError: (file: string, message: string) => void
): SourceComponent[] {
  try {
    return new MetadataResolver(registry, undefined, true).getComponentsFromPath(directory);
  } catch {
    const byKey = new Map<string, SourceComponent>();
    for (const file of files) {
      try {
        for (const component of new MetadataResolver(registry, undefined, true).getComponentsFromPath(file)) {
          byKey.set(`${component.type.name}:${component.fullName}`, component);
        }
      } catch (error) {
        onError(
          file,
          `${firstLine((error as Error).message)}; check the folder and file suffix against the metadata type`
        );
      }
    }
    return [...byKey.values()];
  }
}

async function convertToMetadataFormat(
  set: ComponentSet,
  registry: RegistryAccess,
  onError: (message: string) => void
): Promise<void> {
  const outputDirectory = await mkdtemp(join(tmpdir(), 'tethr-validate-'));
  try {
    await new MetadataConverter(registry).convert(set, 'metadata', {
      type: 'directory',
      outputDirectory,
      genUniqueDir: false
    });
  } catch (error) {
    onError(`conversion to metadata format failed: ${firstLine((error as Error).message)}`);
  } finally {
    await rm(outputDirectory, { recursive: true, force: true });
  }
}

function allChildren(component: SourceComponent): SourceComponent[] {
  return component.getChildren().flatMap((child) => [child, ...allChildren(child)]);
}

async function listFiles(directory: string): Promise<string[] | undefined> {
  try {
    const entries = await readdir(directory, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function summarise(paths: string[], limit = 5): string {
  const shown = paths.slice(0, limit).join(', ');
  return paths.length > limit ? `${shown} (+${paths.length - limit} more)` : shown;
}
