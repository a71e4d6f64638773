import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { loadMessages } from '../shared/messages.ts';

const messages = loadMessages('org-deploy');

/** A file from unpackaged/ with its ${TETHR_...} placeholders and the values to put in. */
export interface TemplateFill {
  /** path relative to the project, e.g. unpackaged/external-client-app/extlClntAppOauthPolicies/Tethr_Integration.ecaOauthPlcy-meta.xml */
  templatePath: string;
  values: Record<string, string>;
  /** file name to deploy under instead of the template's (e.g. a namespaced component name) */
  targetFileName?: string;
  /** exact text replacements applied after filling (e.g. namespacing references) */
  rewrites?: [string, string][];
}

/** A metadata file made by the tool itself (e.g. an org setting), placed at `target` (folder/file). */
export interface GeneratedFile {
  target: string;
  content: string;
}

export interface FilledTemplates {
  directory: string;
  /** filled file path -> template path in the project, to name the template in deploy errors */
  origins: Map<string, string>;
  remove(): Promise<void>;
}

const PLACEHOLDER = /\$\{(TETHR_[A-Z0-9_]+)\}/g;

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Replaces every placeholder; a placeholder without a value is an error, never left in place. */
export function fillTemplate(text: string, values: Record<string, string>, templatePath: string): string {
  const missing = new Set<string>();
  // Placeholders inside XML comments document the template; only real content is filled.
  const filled = text.replace(/<!--[\s\S]*?-->/g, '').replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return escapeXml(value);
  });
  if (missing.size > 0) {
    throw messages.createError('error.TemplateValueMissing', [templatePath, [...missing].join(', ')]);
  }
  return filled;
}

/**
 * Writes filled-in templates into a new private directory (0700, files 0600), keeping the
 * folder layout that source-deploy-retrieve needs to recognise the metadata types. The filled
 * files can carry org-specific values, so they live outside the project and are removed after use.
 */
export async function writeFilledTemplates(
  projectDir: string,
  fills: TemplateFill[],
  generated: GeneratedFile[] = []
): Promise<FilledTemplates> {
  const directory = await mkdtemp(join(tmpdir(), 'tethr-sf-deploy-'));
  const origins = new Map<string, string>();
  try {
    for (const fill of fills) {
      const source = join(projectDir, fill.templatePath);
      const text = await readFile(source, 'utf8').catch(() => {
        throw messages.createError('error.TemplateMissing', [fill.templatePath]);
      });
      // Keep the metadata folder and file name (the last two path segments).
      const layout = relative(dirname(dirname(source)), source);
      const target = join(
        directory,
        fill.targetFileName ? join(dirname(layout), fill.targetFileName) : layout
      );
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      let content = fillTemplate(text, fill.values, fill.templatePath);
      for (const [from, to] of fill.rewrites ?? []) content = content.split(from).join(to);
      await writeFile(target, content, { mode: 0o600, flag: 'wx' });
      origins.set(target, fill.templatePath);
    }
    for (const file of generated) {
      const target = join(directory, file.target);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, file.content, { mode: 0o600, flag: 'wx' });
      origins.set(target, `(generated) ${file.target}`);
    }
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return { directory, origins, remove: () => rm(directory, { recursive: true, force: true }) };
}
