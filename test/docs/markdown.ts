/** A fenced code block: its info string's first word (`sh`, `text`…), its body, and the line before it. */
export interface FencedBlock {
  readonly lang: string;
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The last non-blank line before the fence ('' at the top of the file). */
  readonly preceding: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

/** Every fenced block of a CommonMark document, in order (indented fences inside list items included). */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  let preceding = '';
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) {
      if ((lines[i] ?? '').trim() !== '') preceding = (lines[i] ?? '').trim();
      continue;
    }
    const fence = open[1] ?? '```';
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const candidate = (lines[j] ?? '').trim();
      if (candidate.startsWith(fence) && candidate.replace(/[`~]/g, '') === '') break;
      body.push(lines[j] ?? '');
    }
    blocks.push({ lang: (open[2] ?? '').toLowerCase(), body: body.join('\n'), line: i + 1, preceding });
    preceding = '';
    i = j;
  }
  return blocks;
}

/** The prose of a document: fenced blocks blanked out, code spans dropped or kept as their text (line numbers kept). */
export function prose(markdown: string, codeSpans: 'drop' | 'keep' = 'drop'): string {
  const lines = markdown.split('\n');
  let fence: string | null = null;
  return lines
    .map((line) => {
      const open = FENCE.exec(line);
      if (fence === null && open) {
        fence = open[1] ?? '```';
        return '';
      }
      if (fence !== null) {
        const trimmed = line.trim();
        if (trimmed.startsWith(fence) && trimmed.replace(/[`~]/g, '') === '') fence = null;
        return '';
      }
      return line.replace(/(`+)([^`]*?)\1/g, (_, _ticks: string, code: string) => (codeSpans === 'keep' ? code : ''));
    })
    .join('\n');
}

export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Inline links and images (`[t](x)`, `![a](x "title")`), reference definitions (`[r]: x`) and HTML `href`/`src`. */
export function links(markdown: string): Link[] {
  const found: Link[] = [];
  prose(markdown)
    .split('\n')
    .forEach((text, index) => {
      const line = index + 1;
      for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+["'(][^)]*)?\)/g)) {
        found.push({ target: (m[1] ?? '').replace(/^<|>$/g, ''), line });
      }
      const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(text);
      if (definition) found.push({ target: (definition[1] ?? '').replace(/^<|>$/g, ''), line });
      for (const m of text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) found.push({ target: m[1] ?? '', line });
    });
  return found;
}

/**
 * The anchors GitHub gives a document: one per heading (github-slugger's rule: the heading's text
 * lower-cased, everything but letters, marks, digits, connector punctuation, spaces and hyphens
 * dropped, spaces made hyphens; a repeated slug gets `-1`, `-2`…), plus explicit `id`/`name` attributes.
 */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown, 'keep').split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1] ?? '');
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      result.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of line.matchAll(/\b(?:id|name)\s*=\s*["']([^"']+)["']/g)) result.add(m[1] ?? '');
  }
  return result;
}

function slug(heading: string): string {
  const visible = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\*+/g, '');
  return visible
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}
