/**
 * YAML-level problems (syntax errors, duplicate keys, mis-indented keys) as human issues, plus the
 * parts of the document they damaged: schema findings inside damaged parts would describe YAML's
 * misreading rather than the user's file, so `parse.ts` drops them ("poison").
 */
import { isCollection, isScalar, visit } from 'yaml';
import type { Document, Node, Pair, YAMLError, YAMLMap } from 'yaml';
import { MAX_ISSUES_SHOWN } from './limits.ts';
import { foldedKeyIssues, keyOnLine, lineText, misalignedItemAt, misindentAt } from './misindent.ts';
import type { Misindent, SourceLines } from './misindent.ts';
import { indexPairs, innermostCollection, keyText, linePos } from './yaml-locate.ts';
import type { PairInfo } from './yaml-locate.ts';

/** Damaged nodes: findings on `exact` nodes, or anywhere inside `subtrees`, are dropped. */
export interface Poison {
  subtrees: Set<Node>;
  exact: Set<Node>;
}

export interface SyntaxProblem {
  line: number;
  col: number;
  message: string;
}

export interface SyntaxReport {
  problems: SyntaxProblem[];
  poison: Poison;
  /** the document is too damaged to say anything more about it */
  fatal: boolean;
}

const STRUCTURAL = new Set(['MULTILINE_IMPLICIT_KEY', 'BAD_INDENT', 'MISSING_CHAR', 'UNEXPECTED_TOKEN']);

export function yamlSyntaxReport(doc: Document, src: SourceLines): SyntaxReport {
  const pairs = indexPairs(doc);
  const poison: Poison = { subtrees: new Set(), exact: new Set() };
  const byLine = new Map<number, { problem: SyntaxProblem; generic: boolean }>();
  let fatal = false;
  const add = (problem: SyntaxProblem, generic = false) => {
    // One message per line (yaml often reports one mistake as two or three errors); a diagnosis beats yaml's words.
    const held = byLine.get(problem.line);
    if (!held || (held.generic && !generic)) byLine.set(problem.line, { problem, generic });
  };
  const poisonAround = (offset: number) => {
    const damaged = innermostCollection(doc, offset);
    if (!damaged.node) fatal = true;
    else {
      poison.subtrees.add(damaged.node);
      if (damaged.parent) poison.exact.add(damaged.parent);
    }
  };
  const poisonPairs = (found: readonly PairInfo[]) => {
    for (const info of found) {
      poison.exact.add(info.map);
      if (info.pair.value) poison.subtrees.add(info.pair.value as Node);
    }
  };
  const multiline = new Set(doc.errors.filter((e) => e.code === 'MULTILINE_IMPLICIT_KEY').map((e) => e.pos[0]));

  for (const problem of duplicateKeys(src, pairs)) add(problem);
  // Each diagnosis below looks around the whole file; more errors than are ever shown would make a
  // broken file of many lines cost lines × errors.
  for (const [index, error] of doc.errors.slice(0, MAX_ISSUES_SHOWN).entries()) {
    if (error.code === 'BLOCK_AS_IMPLICIT_KEY' && multiline.has(error.pos[0])) continue;
    // Once the document has ended early, yaml rejects every later token; only the first error means anything.
    if (index > 0 && error.message.includes('in YAML stream')) continue;
    const start = linePos(src.lines, error.pos[0]);
    const line = error.code === 'MULTILINE_IMPLICIT_KEY' ? linePos(src.lines, error.pos[1] - 1).line : start.line;
    const specific: Misindent | undefined =
      error.code === 'BLOCK_AS_IMPLICIT_KEY'
        ? (colonInValue(src, pairs, error) ?? misalignedItemAt(src, line))
        : STRUCTURAL.has(error.code)
          ? (misalignedItemAt(src, line) ?? misindentAt(src, pairs, line))
          : undefined;
    if (specific) add(specific);
    else add(genericProblem(doc, src, error), true);
    if (specific && specific.pairs.length > 0) poisonPairs(specific.pairs);
    else poisonAround(error.pos[0]);
  }
  for (const problem of unknownTags(doc, src)) add(problem);
  for (const folded of foldedKeyIssues(doc, src, pairs)) add(folded);
  for (const problem of dropCollectionKeys(doc, src, poison)) add(problem);
  const problems = [...byLine.values()].map((held) => held.problem).sort((a, b) => a.line - b.line || a.col - b.col);
  return { problems, poison, fatal };
}

/**
 * Tags YAML cannot resolve (`!!js/function`, `!Ref`, …): yaml would read the value as plain text and
 * warn, so the job would run something other than what its author meant. Job files are plain YAML.
 */
function unknownTags(doc: Document, src: SourceLines): SyntaxProblem[] {
  return doc.warnings
    .filter((warning) => warning.code === 'TAG_RESOLVE_FAILED')
    .slice(0, MAX_ISSUES_SHOWN)
    .map((warning) => {
      const tag = src.text.slice(warning.pos[0], warning.pos[1]).trim() || 'here';
      return {
        ...linePos(src.lines, warning.pos[0]),
        message: `unknown YAML tag ${tag}: job files are plain YAML without tags; remove the tag (quote the value if it is text that starts with '!')`,
      };
    });
}

/**
 * Removes pairs whose key is a list or mapping from `doc` (the caller's private document): no job key
 * can be one, and converting them to data would stringify them (with a process warning). Usually a
 * syntax error on the same line already explains them; otherwise this reports them.
 */
function dropCollectionKeys(doc: Document, src: SourceLines, poison: Poison): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  visit(doc, {
    Map(_, map) {
      const bad = map.items.filter((pair) => isCollection(pair.key));
      if (bad.length === 0) return;
      map.items = map.items.filter((pair) => !isCollection(pair.key));
      poison.exact.add(map);
      for (const pair of bad) {
        const at = linePos(src.lines, (pair.key as Node).range?.[0] ?? 0);
        problems.push({ ...at, message: 'a list or mapping is used as a key here; keys must be plain names — check the indentation of this line' });
      }
    },
  });
  return problems;
}

/**
 * Keys that appear twice in one mapping, each repeat reported with the line of the first. Done here
 * rather than by yaml's `uniqueKeys`, which compares every key with all keys before it.
 */
function duplicateKeys(src: SourceLines, pairs: readonly PairInfo[]): SyntaxProblem[] {
  const firstByMap = new Map<YAMLMap, Map<unknown, Pair>>();
  const problems: SyntaxProblem[] = [];
  for (const info of pairs) {
    // as yaml compares keys: scalars by value, anything else only by identity
    const key: unknown = isScalar(info.pair.key) ? info.pair.key.value : info.pair.key;
    let seen = firstByMap.get(info.map);
    if (!seen) firstByMap.set(info.map, (seen = new Map()));
    const first = seen.get(key);
    if (!first) seen.set(key, info.pair);
    else problems.push(duplicateKey(src, info, first));
  }
  return problems;
}

function duplicateKey(src: SourceLines, info: PairInfo, first: Pair): SyntaxProblem {
  const at = linePos(src.lines, (info.pair.key as Node | null)?.range?.[0] ?? 0);
  const name = keyText(info.pair.key);
  const firstLine = (first.key as Node | null)?.range ? linePos(src.lines, (first.key as Node).range?.[0] ?? 0).line : undefined;
  const where = firstLine !== undefined && firstLine !== at.line ? ` (first at line ${firstLine})` : '';
  const what = info.path.length === 1 && info.path[0] === 'uses' ? `group '${name}' is defined twice` : `key '${name}' appears twice`;
  return { ...at, message: `${what}${where}; a key may appear only once in a mapping — rename or remove one of them` };
}

/** `run: echo a: b` — YAML reads the second `: ` as the start of a nested mapping. */
function colonInValue(src: SourceLines, pairs: readonly PairInfo[], error: YAMLError): Misindent | undefined {
  const at = linePos(src.lines, error.pos[0]);
  const key = keyOnLine(src, at.line);
  if (!key || key.col >= at.col) return undefined;
  const value = lineText(src, at.line).slice(at.col - 1).replace(/\s+#.*$/, '').trim();
  const quoted = value.includes('"') ? `'${value.replace(/'/g, "''")}'` : `"${value}"`;
  const example = value.length <= 60 ? `, e.g. ${key.key}: ${quoted}` : '';
  return {
    ...at,
    message: `the value of \`${key.key}:\` contains ': ', which YAML reads as a nested key; put the whole value in quotes${example}`,
    pairs: pairs.filter((p) => (p.pair.key as Node | null)?.range?.[0] === key.offset),
  };
}

function firstNonSpace(src: SourceLines, line: number, col: number): number {
  const indent = /^\s*/.exec(lineText(src, line))?.[0].length ?? 0;
  return col <= indent && indent < lineText(src, line).length ? indent + 1 : col;
}

function genericProblem(doc: Document, src: SourceLines, error: YAMLError): SyntaxProblem {
  const at = linePos(src.lines, error.pos[0]);
  const pos = { line: at.line, col: firstNonSpace(src, at.line, at.col) };
  const text = lineText(src, at.line).trim();
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return { ...pos, message: 'this line is indented with a tab; YAML allows only spaces for indentation — replace the tab with spaces' };
    case 'MULTIPLE_DOCS':
      return { ...pos, message: "the file holds more than one YAML document ('---'); a job file holds one job — remove the extra '---' or move the second job to its own file" };
    case 'BAD_DQ_ESCAPE':
      return { ...at, message: `${lowerFirst(error.message)} in a double-quoted string; write \\\\ for a backslash, or use single quotes, which keep backslashes as they are` };
    case 'MISSING_CHAR':
      if (/quote/.test(error.message)) return unclosedQuote(doc, src, error);
      if (/followed by map values/.test(error.message) && /^[\w-]+$/.test(text)) {
        return { ...pos, message: `\`${text}\` has no ':' after it; write \`${text}: <value>\`` };
      }
  }
  // the parser recurses per nesting level; thousands of `[` or `{` exhaust its stack
  if (/call stack size/i.test(error.message)) {
    return { ...pos, message: 'the YAML here nests lists or maps thousands of levels deep, more than a job file can hold; flatten the structure (a job needs a few levels at most)' };
  }
  return { ...pos, message: `YAML syntax error: ${lowerFirst(error.message)}; check the indentation and quoting of this line and the one above` };
}

/** yaml reports an unclosed quote where the file ends; point at the opening quote instead. */
function unclosedQuote(doc: Document, src: SourceLines, error: YAMLError): SyntaxProblem {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      const range = node.range;
      if (isScalar(node) && node.type?.startsWith('QUOTE') && range && range[0] < error.pos[0] && range[2] >= error.pos[0]) start = range[0];
    },
  });
  const at = linePos(src.lines, start ?? error.pos[0]);
  const quote = start === undefined ? 'a quote' : src.text[start];
  return { ...at, message: `this ${quote} quote is never closed; add the closing ${quote} at the end of the value` };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
