import { readFile } from 'node:fs/promises';
import type { Problem } from './problem.ts';
import type { MetadataXmlFile } from './resolve-and-convert.ts';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml-walker.ts';

export type ParsedMetadataFile = MetadataXmlFile & { root: XmlElement };

/** Parses every metadata XML file once; files that are not well-formed become problems. */
export async function parseMetadataFiles(
  files: MetadataXmlFile[]
): Promise<{ parsed: ParsedMetadataFile[]; problems: Problem[] }> {
  const parsed: ParsedMetadataFile[] = [];
  const problems: Problem[] = [];
  await Promise.all(
    files.map(async (file) => {
      try {
        parsed.push({ ...file, root: parseXml(await readFile(file.absolutePath, 'utf8')) });
      } catch (error) {
        const { line, column } = error instanceof XmlSyntaxError ? error : { line: 1, column: 1 };
        problems.push({ file: file.file, line, column, message: (error as Error).message });
      }
    })
  );
  parsed.sort((a, b) => a.file.localeCompare(b.file));
  return { parsed, problems };
}
