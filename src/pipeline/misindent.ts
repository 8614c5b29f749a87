/**
 * Mis-indented keys, the mistake of the seed's own examples:
 *
 *     - dep: Clone Repo
 *         image: bitnami/git      ← deeper than `dep:`
 *
 * YAML reads such a line as part of the value above (or reports a confusing syntax error), so we
 * look at the source lines: the key on the offending line, and the nearest key above it that starts
 * in a different column and is not nested deeper. The message names both and says to align them.
 */
import { isPair, visit } from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';
import { JOB_KEYS, PUSH_KEYS, RESOURCE_KEYS, STEP_KEYS, TRIGGER_KEYS } from './schema.ts';
import { keyText, linePos } from './yaml-locate.ts';
import type { DataPath, PairInfo } from './yaml-locate.ts';

export interface SourceLines {
  text: string;
  lines: LineCounter;
}

/** A key found at the start of a source line (after any `- ` list markers). */
interface LineKey {
  key: string;
  /** 1-based column of the key */
  col: number;
  /** 1-based column of the first non-space character of the line */
  indent: number;
  offset: number;
  /** 0-based index in the line just after the key as written (quotes included) */
  end: number;
}

export interface Misindent {
  line: number;
  col: number;
  message: string;
  /** the pair the key should have been a sibling of, and the pair of the key itself, when parsed as pairs */
  pairs: PairInfo[];
}

// `key:` followed by a space or the end of the line; quoted keys allowed. Comments and `? ` are not keys.
const KEY_AT_LINE_START = /^(\s*)((?:-\s+)*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"?-][^#]*?|-[^\s#][^#]*?)\s*:(?=\s|$)/;

export function lineText(src: SourceLines, line: number): string {
  const starts = src.lines.lineStarts;
  const start = starts[line - 1] ?? src.text.length;
  const end = starts[line] ?? src.text.length;
  return src.text.slice(start, end).replace(/\r?\n$/, '');
}

export function keyOnLine(src: SourceLines, line: number): LineKey | undefined {
  const text = lineText(src, line);
  const match = KEY_AT_LINE_START.exec(text);
  if (!match) return undefined;
  const [, spaces = '', dashes = '', key = ''] = match;
  const col = spaces.length + dashes.length + 1;
  const offset = (src.lines.lineStarts[line - 1] ?? 0) + col - 1;
  const end = col - 1 + key.length;
  return { key: key.replace(/^["']|["']$/g, ''), col, indent: spaces.length + 1, offset, end };
}

function isSkippable(text: string): boolean {
  return /^\s*(#.*)?$/.test(text);
}

/** The first key of the block nested under the key on `line`, when that block is a mapping. */
function firstChildKey(src: SourceLines, line: number): LineKey | undefined {
  const total = src.lines.lineStarts.length;
  for (let below = line + 1; below <= total; below++) {
    if (isSkippable(lineText(src, below))) continue;
    const key = keyOnLine(src, below);
    return key && key.col === key.indent ? key : undefined;
  }
  return undefined;
}

/** `key:` with nothing (or only a comment) after it opens a nested block. */
function opensBlock(src: SourceLines, line: number, key: LineKey): boolean {
  return /^\s*:\s*(#.*)?$/.test(lineText(src, line).slice(key.end));
}

interface Anchor {
  /** the key the mis-indented key was meant to line up with */
  key: LineKey;
  /** the key whose block that sibling opens, when the mis-indented key sits between the two columns */
  parent?: LineKey;
}

/**
 * The key the key on `line` (at column `col`) was meant to line up with: the nearest key above that
 * is not nested deeper and not already in this column. When that key opens the block we are in, the
 * sibling is the first key of that block instead; above the first line, the document's first key.
 */
function anchorAbove(src: SourceLines, line: number, col: number): Anchor | undefined {
  for (let above = line - 1; above >= 1; above--) {
    const key = keyOnLine(src, above);
    if (!key || key.indent > col || key.col === col) continue;
    if (key.col < col && opensBlock(src, above, key)) {
      const child = firstChildKey(src, above);
      if (!child) return { key };
      if (child.col === col) return undefined;
      return child.col > col ? { key: child, parent: key } : { key: child };
    }
    return { key };
  }
  const first = firstChildKey(src, 0);
  return first && first.col !== col ? { key: first } : undefined;
}

function describeKeys(path: DataPath | undefined): string {
  if (path === undefined) return 'keys of one mapping';
  if (path.length === 0) return 'top-level keys';
  if (path.length === 3 && path[0] === 'uses' && typeof path[2] === 'number') return 'keys of one step';
  return 'keys of one mapping';
}

function pairAt(pairs: readonly PairInfo[], offset: number): PairInfo | undefined {
  return pairs.find((p) => (p.pair.key as Node | null)?.range?.[0] === offset);
}

/**
 * The mis-indented key on `line` (1-based), when that line starts with a key that does not line up
 * with the key above it; undefined when the line shows no such mistake.
 */
export function misindentAt(src: SourceLines, pairs: readonly PairInfo[], line: number): Misindent | undefined {
  const own = keyOnLine(src, line);
  if (!own) return undefined;
  const anchor = anchorAbove(src, line, own.col);
  if (!anchor) return undefined;
  const sibling = anchor.key;
  const anchorPair = pairAt(pairs, sibling.offset);
  const ownPair = pairAt(pairs, own.offset);
  const found = [anchorPair, ownPair].filter((p) => p !== undefined);
  if (anchor.parent) {
    const parent = anchor.parent.key;
    const message =
      `\`${own.key}:\` is indented deeper than \`${parent}:\` but less than \`${sibling.key}:\` above it; ` +
      `align it with \`${parent}:\` or with \`${sibling.key}:\`, whichever mapping it belongs to`;
    return { line, col: own.col, message, pairs: found };
  }
  const depth = own.col > sibling.col ? 'deeper' : 'less';
  const message =
    `\`${own.key}:\` is indented ${depth} than \`${sibling.key}:\` above it; ` +
    `${describeKeys(anchorPair?.path)} must start in the same column — align \`${own.key}:\` with \`${sibling.key}:\``;
  return { line, col: own.col, message, pairs: found };
}

const DASH = /^(\s*)-(?:\s|$)/;

/**
 * A list item whose '-' is not in the column of the item before it (steps are list items):
 * lines of the previous item's content (indented at least as far) are passed over; a line indented
 * less ends the list, and then there is no earlier item to compare with.
 */
export function misalignedItemAt(src: SourceLines, line: number): Misindent | undefined {
  const own = DASH.exec(lineText(src, line));
  if (!own) return undefined;
  const col = (own[1] ?? '').length + 1;
  for (let above = line - 1; above >= 1; above--) {
    const text = lineText(src, above);
    if (isSkippable(text)) continue;
    const dash = DASH.exec(text);
    const indent = (/^\s*/.exec(text)?.[0].length ?? 0) + 1;
    if (!dash) {
      if (indent < col) return undefined;
      continue;
    }
    if (indent === col) return undefined;
    const depth = col > indent ? 'deeper' : 'less';
    return {
      line,
      col,
      message:
        `this list item is indented ${depth} than the item on line ${above}; ` +
        `items of one list (the steps of a group) must start in the same column — align its '-' with the '-' on line ${above}`,
      pairs: [],
    };
  }
  return undefined;
}

const KNOWN_KEYS = new Set<string>([...JOB_KEYS, ...STEP_KEYS, ...RESOURCE_KEYS, ...PUSH_KEYS, ...TRIGGER_KEYS]);
const GLUED_KEY = /^(\s*)([A-Za-z_][A-Za-z0-9_-]*):(?!\/\/)\S/;
const LIST_DASH = /^(\s*)- /;

/**
 * Valid YAML that almost surely means something else: a plain (unquoted) value continued on a
 * deeper line that starts with a known key glued to its value (`image:bitnami/git`) or with `- `.
 * YAML folds such lines into the text of the value above; we report them instead.
 */
export function foldedKeyIssues(doc: Document, src: SourceLines, pairs: readonly PairInfo[]): Misindent[] {
  const found: Misindent[] = [];
  const infoOf = new Map(pairs.map((info) => [info.pair, info]));
  visit(doc, {
    Scalar(_, node, ancestors) {
      const parent = ancestors[ancestors.length - 1];
      if (node.type !== 'PLAIN' || !node.range || !isPair(parent) || parent.value !== node) return;
      const first = linePos(src.lines, node.range[0]).line;
      const last = linePos(src.lines, Math.max(node.range[0], node.range[1] - 1)).line;
      for (let line = first + 1; line <= last; line++) {
        const issue = foldedLineIssue(src, infoOf.get(parent), parent, line);
        if (issue) found.push(issue);
      }
    },
  });
  return found;
}

function foldedLineIssue(src: SourceLines, info: PairInfo | undefined, parent: Pair, line: number): Misindent | undefined {
  const text = lineText(src, line);
  const owner = keyText(parent.key);
  const glued = GLUED_KEY.exec(text);
  if (glued && KNOWN_KEYS.has(glued[2] ?? '')) {
    const key = glued[2] ?? '';
    const col = (glued[1] ?? '').length + 1;
    const ownerCol = linePos(src.lines, (parent.key as Node | null)?.range?.[0] ?? 0).col;
    return {
      line,
      col,
      message:
        `\`${key}:\` is indented ${col > ownerCol ? 'deeper' : 'less'} than \`${owner}:\` above it, so YAML reads it as more text of \`${owner}:\`; ` +
        `${describeKeys(info?.path)} must start in the same column — align \`${key}:\` with \`${owner}:\` ` +
        `and put a space after the colon (\`${text.trim().replace(':', ': ')}\`)`,
      pairs: info ? [info] : [],
    };
  }
  const dash = LIST_DASH.exec(text);
  if (dash) {
    return {
      line,
      col: (dash[1] ?? '').length + 1,
      message:
        `this '- ' line continues the text of \`${owner}:\` instead of starting a list item; ` +
        `to give a list, leave the value of \`${owner}:\` empty and put each item on its own line starting with '- '`,
      pairs: [],
    };
  }
  return undefined;
}
