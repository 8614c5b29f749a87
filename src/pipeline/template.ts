/**
 * `{{ .name }}` templates in job files, on mustache's grammar.
 *
 * Contract:
 * - `{{ .name }}`, `{{ name }}`, `{{{ name }}}` and `{{& name }}` are the same reference; dotted paths
 *   (`{{ .a.b }}`) walk nested maps (own properties only). Values are pasted verbatim: never HTML-escaped.
 * - Only variable references are supported. Sections (`{{#x}}`, `{{^x}}`) and partials (`{{> x}}`) are
 *   rejected with a TemplateError: a CI file has no lists to loop over, and a half-supported logic
 *   language is worse than none. Comments (`{{! ... }}`) render to nothing. Mustache's set-delimiter
 *   tag is allowed because it is the one way to write a literal `{{`:
 *   `{{=<% %>=}}docker inspect -f '{{.State.Status}}'`.
 * - An unresolved reference is an error (listing every missing name), never an empty string.
 * - `{{ .steps.<id>.outputs.<key> }}` is left in place (in the canonical spelling) by `render`; the
 *   executor fills it in just before the step runs with `renderStepOutputs`.
 * - Text without `{{` is returned unchanged.
 *
 * Mustache supplies the tokenizer; evaluation is ours, because mustache's own lookup renders a missing
 * name as "" and follows prototype properties (`{{ constructor }}`). Parsing goes through a private
 * `Mustache.Writer` (never the global one, whose cache grows with every distinct template).
 */
import Mustache from 'mustache';
import type { Scalar } from './types.ts';

/** Parameters as templates see them: scalars, or maps of them for dotted paths. */
export interface TemplateView {
  readonly [name: string]: Scalar | TemplateView;
}

/** The reserved top-level name of step-output references. */
export const STEP_OUTPUTS = 'steps';

export type TemplateErrorKind = 'syntax' | 'unsupported' | 'unresolved' | 'not-scalar' | 'step-output';

/** A template that cannot be rendered; `names` are the offending references (top-level names). */
export class TemplateError extends Error {
  readonly kind: TemplateErrorKind;
  readonly names: string[];

  constructor(kind: TemplateErrorKind, message: string, names: string[] = []) {
    super(message);
    this.name = 'TemplateError';
    this.kind = kind;
    this.names = names;
  }
}

export interface StepOutputRef {
  step: string;
  key: string;
}

/** Template functions sharing one parse cache: create one per plan, drop it with the plan. */
export interface Templates {
  render(text: string, view: TemplateView): string;
  references(text: string): string[];
}

type Token = [type: string, value: string, start: number, end: number, ...rest: unknown[]];

/** A reference as written, split into path segments with the optional leading dot dropped. */
interface Ref {
  path: string[];
  raw: string;
}

type Part = string | Ref;

const TAGS: [string, string] = ['{{', '}}'];
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** A `{{ name }}` tag exactly as mustache scans it: `{{`, spaces, name, spaces, `}}`. */
const PLAIN_TAG = /\{\{\s*(\.?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;
const STEP_OUTPUT_REF = /\{\{\s*\.?steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}/g;
const UNSUPPORTED: Record<string, string> = { '#': 'section', '^': 'inverted section', '>': 'partial' };

export interface TemplateOptions {
  /**
   * Default true: text whose only tags are plain `{{ name }}` references is split without mustache
   * (mustache recompiles its tag regexes on every parse, which dominated planning time). Mustache
   * would produce exactly the same tokens; a property test holds the two paths equal.
   */
  fastPath?: boolean;
}

export function createTemplates(options: TemplateOptions = {}): Templates {
  const writer = new Mustache.Writer();
  const fastPath = options.fastPath ?? true;
  const compiled = new Map<string, Part[]>();
  const compile = (text: string): Part[] => {
    let parts = compiled.get(text);
    if (parts === undefined) {
      parts = (fastPath ? plainParts(text) : undefined) ?? toParts(text, parseTokens(writer, text));
      compiled.set(text, parts);
    }
    return parts;
  };
  const refs = (text: string): Ref[] =>
    text.includes('{{') ? compile(text).filter((part): part is Ref => typeof part !== 'string') : [];

  return {
    render(text, view) {
      if (!text.includes('{{')) return text;
      const missing = new Set<string>();
      let out = '';
      for (const part of compile(text)) {
        if (typeof part === 'string') {
          out += part;
        } else if (part.path[0] === STEP_OUTPUTS) {
          out += `{{ .${part.path.join('.')} }}`;
        } else {
          const value = lookup(view, part.path);
          if (value === undefined) {
            missing.add(part.path[0]!);
          } else if (typeof value === 'object') {
            throw new TemplateError(
              'not-scalar',
              `'${part.raw}' is a map; reference one of its keys, e.g. {{ .${part.path.join('.')}.<key> }}`,
              [part.path[0]!],
            );
          } else {
            out += String(value);
          }
        }
      }
      if (missing.size > 0) {
        const names = [...missing];
        throw new TemplateError('unresolved', `no value for ${names.map((n) => `'${n}'`).join(', ')}`, names);
      }
      return out;
    },
    references(text) {
      return [...new Set(refs(text).map((ref) => ref.path[0]!))];
    },
  };
}

/** Renders `text` with `view` (see the module contract). Throws TemplateError. */
export function render(text: string, view: TemplateView): string {
  return createTemplates().render(text, view);
}

/** Top-level names referenced by `text`, in order of first use (`steps` for step outputs). */
export function references(text: string): string[] {
  return createTemplates().references(text);
}

/** The step-output references left in rendered text, as `renderStepOutputs` will see them. */
export function findStepOutputRefs(text: string): StepOutputRef[] {
  if (!text.includes('{{')) return [];
  return [...text.matchAll(STEP_OUTPUT_REF)].map((match) => ({ step: match[1]!, key: match[2]! }));
}

/**
 * Run time: replaces `{{ .steps.<id>.outputs.<key> }}` with the outputs of earlier steps. Only that
 * exact shape is touched; any other braces (already rendered at plan time) are left as they are.
 */
export function renderStepOutputs(text: string, outputs: Record<string, Record<string, string>>): string {
  return text.replace(STEP_OUTPUT_REF, (_match, step: string, key: string) => {
    const written = Object.hasOwn(outputs, step) ? outputs[step] : undefined;
    if (written === undefined) {
      const known = Object.keys(outputs);
      throw new TemplateError(
        'step-output',
        `no earlier step with id '${step}' wrote outputs (steps with outputs: ${known.length > 0 ? known.join(', ') : 'none'}); ` +
          `give the producing step 'id: ${step}' and have it append 'key=value' lines to $PISTAGES_OUTPUT`,
        [STEP_OUTPUTS],
      );
    }
    const value = Object.hasOwn(written, key) ? written[key] : undefined;
    if (value === undefined) {
      const known = Object.keys(written);
      throw new TemplateError(
        'step-output',
        `step '${step}' wrote no output '${key}' (it wrote: ${known.length > 0 ? known.join(', ') : 'nothing'}); ` +
          `append '${key}=value' to $PISTAGES_OUTPUT in that step`,
        [STEP_OUTPUTS],
      );
    }
    return value;
  });
}

/** Parts of `text` when every `{{` opens a plain reference tag; undefined when mustache must decide. */
function plainParts(text: string): Part[] | undefined {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(PLAIN_TAG)) {
    const before = text.slice(last, match.index);
    // `{{{`, a stray `{{`, or any other tag kind: leave it to mustache
    if (before.includes('{{') || before.endsWith('{')) return undefined;
    if (before !== '') parts.push(before);
    parts.push(toRef(match[1]!, match[0]));
    last = match.index + match[0].length;
  }
  const rest = text.slice(last);
  if (rest.includes('{{')) return undefined;
  if (rest !== '') parts.push(rest);
  return parts;
}

function parseTokens(writer: Mustache.Writer, text: string): Token[] {
  try {
    return writer.parse(text, TAGS) as Token[];
  } catch (e) {
    const reason = (e as Error).message;
    if (/section/i.test(reason)) {
      throw new TemplateError('unsupported', `${reason}: mustache sections are not supported; only variable references like {{ .name }} are`);
    }
    throw new TemplateError('syntax', `template syntax error: ${reason}; close every '{{' with '}}'`);
  }
}

/** Literal text and references, in order; rejects what is not a plain reference. */
function toParts(text: string, tokens: Token[]): Part[] {
  const parts: Part[] = [];
  for (const token of tokens) {
    const raw = text.slice(token[2], token[3]);
    const kind = UNSUPPORTED[token[0]];
    if (kind !== undefined) {
      throw new TemplateError(
        'unsupported',
        `'${raw}' is a mustache ${kind}; only variable references like {{ .name }} are supported`,
      );
    }
    if (token[0] === 'text') parts.push(token[1]);
    if (token[0] === 'name' || token[0] === '&') parts.push(toRef(token[1], raw));
  }
  return parts;
}

function toRef(name: string, raw: string): Ref {
  const path = (name.startsWith('.') ? name.slice(1) : name).split('.');
  if (!path.every((segment) => SEGMENT.test(segment))) {
    throw new TemplateError(
      'syntax',
      `'${raw}' is not a reference; write {{ .name }} or {{ .a.b }} (letters, digits, '_' and '-')`,
    );
  }
  if (path[0] === STEP_OUTPUTS && (path.length !== 4 || path[2] !== 'outputs')) {
    throw new TemplateError(
      'step-output',
      `'${raw}' is not a step output reference; write {{ .steps.<step id>.outputs.<key> }}`,
      [STEP_OUTPUTS],
    );
  }
  return { path, raw };
}

function lookup(view: TemplateView, path: string[]): Scalar | TemplateView | undefined {
  let current: Scalar | TemplateView | undefined = view;
  for (const segment of path) {
    if (current === undefined || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}
