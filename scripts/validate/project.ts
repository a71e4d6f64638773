import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type PackageDirectory = {
  /** As written in sfdx-project.json, e.g. "force-app". */
  path: string;
  absolutePath: string;
  /** True for a directory that ships in a package (it has a "package" name). */
  packaged: boolean;
};

export type ProjectConfig = {
  root: string;
  packageDirectories: PackageDirectory[];
  namespace: string;
  sourceApiVersion: string | undefined;
  /** `stringToReplace` values of sfdx-project.json "replacements": swapped in at deploy time by the sf CLI. */
  declaredReplacements: Set<string>;
  /** Scratch org definition files named by package directories (definitionFile), relative to root. */
  scratchDefinitionFiles: string[];
};

type RawPackageDirectory = { path?: unknown; package?: unknown; definitionFile?: unknown };
type RawProject = {
  packageDirectories?: RawPackageDirectory[];
  namespace?: unknown;
  sourceApiVersion?: unknown;
  replacements?: Array<{ stringToReplace?: unknown }>;
};

export function loadProject(projectDir: string): ProjectConfig {
  const root = resolve(projectDir);
  const file = join(root, 'sfdx-project.json');
  if (!existsSync(file)) {
    throw new Error(
      `No sfdx-project.json in ${root}. Run the validator from the project root or pass --project-dir.`
    );
  }
  let raw: RawProject;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as RawProject;
  } catch (error) {
    throw new Error(
      `sfdx-project.json is not valid JSON (${(error as Error).message}). Fix the file and run again.`
    );
  }
  const directories = (raw.packageDirectories ?? []).filter(
    (d): d is RawPackageDirectory & { path: string } => typeof d.path === 'string'
  );
  if (directories.length === 0) {
    throw new Error('sfdx-project.json lists no packageDirectories. Add at least one {"path": "force-app"}.');
  }
  const definitionFiles = directories.flatMap((d) =>
    typeof d.definitionFile === 'string' ? [d.definitionFile] : []
  );
  return {
    root,
    packageDirectories: directories.map((d) => ({
      path: d.path,
      absolutePath: resolve(root, d.path),
      packaged: typeof d.package === 'string'
    })),
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
