import { isScalar, visit } from 'yaml';
import type { Document } from 'yaml';

/** The message docs/job-format.md promises for a tab in indentation. */
export const TAB_MESSAGE = 'this line is indented with a tab; YAML allows only spaces for indentation — replace the tab with spaces';

/**
 * Lines indented with a tab, outside block scalars (where a tab after the indentation is text).
 * YAML reads such a line as something else entirely (a nested key, a duplicate key), so when there
 * is one, its tab is the only thing worth saying about the file. Positions point at the first
 * character after the indentation, 1-based.
 */
export function tabIndentedLines(text: string, doc: Document): { line: number; col: number }[] {
  if (!text.includes('\t')) return [];
  const blocks: [number, number][] = [];
  visit(doc, {
    Scalar(_, node) {
      if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && node.range) blocks.push([node.range[0], node.range[1]]);
    },
  });
  const found: { line: number; col: number }[] = [];
  let offset = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    const rest = line.slice(indent.length).replace(/\r$/, '');
    const inBlock = blocks.some(([from, to]) => offset >= from && offset < to);
    if (indent.includes('\t') && rest !== '' && !rest.startsWith('#') && !inBlock) found.push({ line: i + 1, col: indent.length + 1 });
    offset += line.length + 1;
  }
  return found;
}
