/**
 * From data paths (as ajv and the checks report them) back to YAML nodes and 1-based line/col.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Document, LineCounter, Node, Pair, YAMLMap } from 'yaml';

export type DataPath = readonly (string | number)[];

/** What a finding points at: the key of the entry, its value, or (for a missing key) the mapping. */
export type Anchor = 'key' | 'value' | 'node';

/** One problem before it has a position: where in the data, and the human message. */
export interface Finding {
  path: DataPath;
  at: Anchor;
  message: string;
}

export interface Located {
  /** the node at the path, or the deepest node reached when the path leaves the document */
  node: Node | undefined;
  /** the pair holding `node` as its value, when the last step went through a mapping */
  pair: Pair | undefined;
  /** false when the path could not be followed to its end */
  complete: boolean;
  /** nodes passed on the way, outermost first, ending with `node` */
  trail: Node[];
}

export function keyText(key: unknown): string {
  if (isScalar(key)) return key.value == null ? '' : String(key.value);
  return String(key);
}

function resolve(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return resolve(doc, node.resolve(doc));
  return isCollection(node) || isScalar(node) ? node : undefined;
}

export type Locator = (path: DataPath) => Located;

/**
 * A `locate` for many paths of one document: each mapping's keys are indexed on first use, so a
 * lookup costs the depth of the path, not the size of the mappings on the way (a mapping of 40k
 * keys with a finding on each would otherwise cost 40k × 40k steps). Do not change `doc` after.
 */
export function createLocator(doc: Document): Locator {
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairIn = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      // The last pair wins, as in the data ajv saw (duplicate keys are reported separately).
      for (const item of map.items) index.set(keyText(item.key), item);
      indexes.set(map, index);
    }
    return index.get(key);
  };
  return (path) => {
    let node = resolve(doc, doc.contents);
    let pair: Pair | undefined;
    const trail: Node[] = node ? [node] : [];
    for (const segment of path) {
      let next: unknown;
      if (isMap(node)) {
        pair = pairIn(node, String(segment));
        next = pair?.value;
        if (!pair) return { node, pair: undefined, complete: false, trail };
      } else if (isSeq(node)) {
        pair = undefined;
        next = node.items[Number(segment)];
      } else {
        return { node, pair, complete: false, trail };
      }
      const resolved = resolve(doc, next);
      if (!resolved) return { node: undefined, pair, complete: next == null, trail };
      node = resolved;
      trail.push(node);
    }
    return { node, pair, complete: true, trail };
  };
}

/** One path; for many paths of a document, use createLocator. */
export function locate(doc: Document, path: DataPath): Located {
  return createLocator(doc)(path);
}

/** An absent or empty value (`image:` with nothing after it) has no useful position of its own. */
function isBlank(node: Node | undefined): boolean {
  return !node?.range || (isScalar(node) && node.value == null && node.range[0] === node.range[1]);
}

/** Byte offset a finding should point at: the key, the value, or the start of the mapping. */
export function offsetOf(found: Located, at: Anchor): number {
  const key = found.pair?.key as Node | undefined;
  if (at === 'key' && key?.range) return key.range[0];
  if (at === 'value' && !isBlank(found.node) && found.node?.range) return found.node.range[0];
  if (key?.range && (at !== 'node' || isBlank(found.node))) return key.range[0];
  return found.node?.range?.[0] ?? 0;
}

export function linePos(lines: LineCounter, offset: number): { line: number; col: number } {
  const { line, col } = lines.linePos(offset);
  return { line: Math.max(1, line), col: Math.max(1, col) };
}

export interface PairInfo {
  pair: Pair;
  /** the mapping that holds the pair */
  map: YAMLMap;
  /** data path of the mapping */
  path: DataPath;
}

/** Every pair of the document with its mapping and that mapping's data path, in document order, in one walk. */
export function indexPairs(doc: Document): PairInfo[] {
  const found: PairInfo[] = [];
  type Entry = { node: unknown; path: DataPath; map?: YAMLMap };
  // an explicit stack (a deeply nested file must not exhaust the call stack), pushed in reverse
  const stack: Entry[] = [{ node: doc.contents, path: [] }];
  const pushAll = (entries: Entry[]) => {
    for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i] as Entry);
  };
  while (stack.length > 0) {
    const { node, path, map } = stack.pop() as Entry;
    if (isPair(node)) {
      if (map) found.push({ pair: node, map, path });
      const valuePath = map ? [...path, keyText(node.key)] : path;
      pushAll([{ node: node.key, path }, { node: node.value, path: valuePath }]);
    } else if (isMap(node)) {
      pushAll(node.items.map((pair) => ({ node: pair, path, map: node })));
    } else if (isSeq(node)) {
      pushAll(node.items.map((item, index) => ({ node: item, path: [...path, index] })));
    }
  }
  return found;
}

/** The smallest mapping or sequence whose source range contains `offset`, with its parent collection. */
export function innermostCollection(doc: Document, offset: number): { node?: Node; parent?: Node } {
  let best: { node?: Node; parent?: Node } = {};
  let size = Infinity;
  const consider = (node: Node, ancestors: readonly unknown[]) => {
    const range = node.range;
    if (!range || offset < range[0] || offset > range[2] || range[2] - range[0] >= size) return;
    size = range[2] - range[0];
    const parent = [...ancestors].reverse().find((a) => isCollection(a)) as Node | undefined;
    best = { node, parent };
  };
  visit(doc, { Map: (_, n, a) => consider(n, a), Seq: (_, n, a) => consider(n, a) });
  return best;
}
