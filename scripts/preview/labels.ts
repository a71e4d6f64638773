import { readFile } from 'node:fs/promises';

/** Reads the custom labels file into name -> value, so the preview shows the real English text. */
export async function readCustomLabels(labelsFile: string): Promise<Map<string, string>> {
  const xml = await readFile(labelsFile, 'utf8');
  const labels = new Map<string, string>();
  for (const match of xml.matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
    const block = match[1] ?? '';
    const name = /<fullName\s*>([^<]+)<\/fullName>/.exec(block)?.[1];
    const value = /<value\s*>([\s\S]*?)<\/value>/.exec(block)?.[1];
    if (name !== undefined && value !== undefined) {
      labels.set(name, decodeXmlEntities(value));
    }
  }
  return labels;
}

function decodeXmlEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
