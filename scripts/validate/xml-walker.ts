import sax from 'sax';

/** One element of a metadata XML file, with the position of its start tag (1-based line and column). */
export type XmlElement = {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element (not of its children). */
  text: string;
  line: number;
  column: number;
};

export class XmlSyntaxError extends Error {
  public constructor(
    message: string,
    public readonly line: number,
    public readonly column: number
  ) {
    super(message);
  }
}

/**
 * Parses XML with sax (a streaming parser) into a small tree that remembers where each start tag is.
 * Metadata files are small, so a tree is cheaper to reason about than checking inside sax callbacks,
 * and the same tree serves the schema check and the cross-reference check.
 */
export function parseXml(xml: string): XmlElement {
  const lineStarts = lineStartOffsets(xml);
  const parser = sax.parser(true, { position: true, trim: false, normalize: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlSyntaxError | undefined;

  parser.onopentag = (tag): void => {
    // startTagPosition is one past the '<' of the tag just opened.
    const { line, column } = positionOf(lineStarts, parser.startTagPosition - 1);
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(tag.attributes)) {
      attributes[key] = typeof value === 'string' ? value : value.value;
    }
    const element: XmlElement = { name: tag.name, attributes, children: [], text: '', line, column };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root ??= element;
    stack.push(element);
  };
  parser.onclosetag = (): void => {
    stack.pop();
  };
  const addText = (text: string): void => {
    const current = stack.at(-1);
    if (current) current.text += text;
  };
  parser.ontext = addText;
  parser.oncdata = addText;
  parser.onerror = (error): void => {
    failure ??= new XmlSyntaxError(
      `XML is not well-formed: ${error.message.split('\n')[0] ?? ''}`,
      parser.line + 1,
      parser.column + 1
    );
    parser.resume();
  };

  parser.write(xml).close();
  if (failure) throw failure;
  if (!root) throw new XmlSyntaxError('XML has no root element', 1, 1);
  return root;
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  return starts;
}

function positionOf(lineStarts: number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
}

/** Children of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** Trimmed text of the first child named `name`, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = element.children.find((c) => c.name === name);
  return child ? child.text.trim() : undefined;
}

/** Every element below `element` (depth first), including itself. */
export function* descendants(element: XmlElement): Generator<XmlElement> {
  yield element;
  for (const child of element.children) yield* descendants(child);
}
