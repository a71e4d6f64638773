import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PackageKey } from '../contracts/channels.ts';
import { packageForDirectory } from '../contracts/packages.ts';
import { loadMessages } from '../shared/messages.ts';

const messages = loadMessages('validate');

export type PackageDependency = { package?: string; versionNumber?: string };

export type PackageDirectory = {
  /** As written in sfdx-project.json, e.g. "force-app". */
  path: string;
  absolutePath: string;
  /** True for a directory that ships in a package (it has a "package" name). */
  packaged: boolean;
  /** The "package" name, for packaged directories. */
  packageName?: string;
  /** Which Tethr package the directory is (scripts/contracts/packages.ts), when it is packaged and known. */
  key?: PackageKey;
  dependencies: PackageDependency[];
  /** The scratch definition the package version is built in, relative to the root. */
  definitionFile?: string;
};

export type ProjectConfig = {
  root: string;
  /** The text of sfdx-project.json, for placing problems on a line. */
  projectJsonText: string;
  packageDirectories: PackageDirectory[];
  namespace: string;
  sourceApiVersion: string | undefined;
  /** `stringToReplace` values of sfdx-project.json "replacements": swapped in at deploy time by the sf CLI. */
  declaredReplacements: Set<string>;
  /** Scratch org definition files named by package directories (definitionFile), relative to root. */
  scratchDefinitionFiles: string[];
};

type RawPackageDirectory = {
  path?: unknown;
  package?: unknown;
  definitionFile?: unknown;
  dependencies?: unknown;
};
type RawProject = {
  packageDirectories?: RawPackageDirectory[];
  namespace?: unknown;
  sourceApiVersion?: unknown;
  replacements?: Array<{ stringToReplace?: unknown }>;
};

export function loadProject(projectDir: string): ProjectConfig {
  const root = resolve(projectDir);
  const file = join(root, 'sfdx-project.json');
  if (!existsSync(file)) throw messages.createError('error.NoProject', [root]);
  const text = readFileSync(file, 'utf8');
  let raw: RawProject;
  try {
    raw = JSON.parse(text) as RawProject;
  } catch (error) {
    throw messages.createError('error.ProjectNotJson', [(error as Error).message]);
  }
  const directories = (raw.packageDirectories ?? []).filter(
    (d): d is RawPackageDirectory & { path: string } => typeof d.path === 'string'
  );
  if (directories.length === 0) throw messages.createError('error.NoPackageDirectories');
  const definitionFiles = directories.flatMap((d) =>
    typeof d.definitionFile === 'string' ? [d.definitionFile] : []
  );
  return {
    root,
    projectJsonText: text,
    packageDirectories: directories.map((d) => toPackageDirectory(root, d)),
    namespace: typeof raw.namespace === 'string' ? raw.namespace : '',
    sourceApiVersion: typeof raw.sourceApiVersion === 'string' ? raw.sourceApiVersion : undefined,
    declaredReplacements: new Set(
      (raw.replacements ?? []).flatMap((r) =>
        typeof r.stringToReplace === 'string' ? [r.stringToReplace] : []
      )
    ),
    scratchDefinitionFiles: [...new Set(definitionFiles)]
  };
}

function toPackageDirectory(root: string, raw: RawPackageDirectory & { path: string }): PackageDirectory {
  const packaged = typeof raw.package === 'string';
  const key = packaged ? packageForDirectory(raw.path) : undefined;
  return {
    path: raw.path,
    absolutePath: resolve(root, raw.path),
    packaged,
    ...(packaged ? { packageName: raw.package as string } : {}),
    ...(key ? { key } : {}),
    dependencies: Array.isArray(raw.dependencies)
      ? raw.dependencies.filter((d): d is PackageDependency => typeof d === 'object' && d !== null)
      : [],
    ...(typeof raw.definitionFile === 'string' ? { definitionFile: raw.definitionFile } : {})
  };
}

/**
 * The packaged directory a name means: its "package" name or its path. Without a name, the base
 * package (or the only packaged directory of a project that has no base).
 */
export function findPackageDirectory(
  project: ProjectConfig,
  nameOrPath: string | undefined
): PackageDirectory {
  const packaged = project.packageDirectories.filter((d) => d.packaged);
  const wanted = nameOrPath?.replace(/\\/g, '/').replace(/\/+$/, '');
  const found =
    wanted === undefined
      ? (packaged.find((d) => d.key === 'base') ?? (packaged.length === 1 ? packaged[0] : undefined))
      : packaged.find((d) => d.packageName === wanted || d.path === wanted);
  if (!found) {
    const known = packaged.map((d) => `"${d.packageName ?? ''}" (${d.path})`).join(', ');
    throw messages.createError('error.UnknownPackage', [nameOrPath ?? '(no name)'], [known || 'none']);
  }
  return found;
}
