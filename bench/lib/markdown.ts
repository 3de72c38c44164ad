/** Markdown helpers for the BENCHMARKS.md sections. */

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
