import { htmlToText } from './html-text.ts';

// LiveChatTranscript.Body is the agent console's HTML transcript: a header ("Chat Started: ...",
// "Chat Origin: ...", "Agent Jane D") followed by one line per message prefixed with the time
// since the chat started, e.g. "( 1m 5s ) Jane D: Hello". Lines without that prefix continue the
// previous message (a customer pressed Shift+Enter).

export interface TranscriptLine {
  offsetSeconds: number;
  speaker: string;
  text: string;
}

export interface ParsedTranscript {
  agentNames: string[];
  lines: TranscriptLine[];
}

const MESSAGE = /^\(\s*(?:(\d+)h\s*)?(?:(\d+)m\s*)?(?:(\d+)s)?\s*\)\s*([^:]{1,120}?):\s?(.*)$/;
const AGENT_HEADER = /^Agent\s+(.+)$/;

export function parseTranscriptBody(body: string): ParsedTranscript {
  const agentNames: string[] = [];
  const lines: TranscriptLine[] = [];
  let seenMessage = false;
  for (const raw of htmlToText(body).split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const match = MESSAGE.exec(line);
    if (match) {
      seenMessage = true;
      const [, h, m, s, speaker, text] = match;
      lines.push({
        offsetSeconds: Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0),
        speaker: (speaker ?? '').trim(),
        text: (text ?? '').trim()
      });
      continue;
    }
    const agent = AGENT_HEADER.exec(line);
    if (!seenMessage && agent?.[1]) {
      agentNames.push(agent[1].trim());
      continue;
    }
    const previous = lines.at(-1);
    if (seenMessage && previous) previous.text = previous.text ? `${previous.text}\n${line}` : line;
  }
  return { agentNames, lines: lines.filter((line) => line.text) };
}
