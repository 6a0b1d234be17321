/** A figure as rows of cells, rendered both for the terminal and as Markdown. */
export interface Section {
  title: string;
  headers: string[];
  rows: string[][];
  /** Lines printed under the table. */
  notes: string[];
}

const isNumeric = (cell: string) => /^[+−-]?[\d,.]+( ?(ms|KB|MiB|×|%|\/s))?$/.test(cell) || /^[\d.]+×$/.test(cell);

export function renderText(section: Section): string {
  const widths = section.headers.map((h, i) => Math.max(h.length, ...section.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i > 0 && isNumeric(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    section.title,
    line(section.headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...section.rows.map(line),
    ...section.notes.map((n) => `  ${n}`),
  ].join('\n');
}

export function renderMarkdown(section: Section): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|');
  const align = section.headers.map((_, i) =>
    i > 0 && section.rows.every((r) => isNumeric(r[i] ?? '') || r[i] === '—') ? '---:' : '---',
  );
  return [
    `### ${section.title}`,
    '',
    `| ${section.headers.map(escapeCell).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...section.rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
    '',
    ...section.notes.map((n) => `- ${n}`),
  ].join('\n');
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number, digits = 1) => `${n.toFixed(digits)} ms`,
  mib: (n: number) => `${n.toFixed(1)} MiB`,
  signedMs: (n: number, digits = 1) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)} ms`,
  kb: (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`,
  ratio: (n: number, digits = 2) => `${n.toFixed(digits)}×`,
};
