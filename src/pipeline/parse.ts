/**
 * Job file text → JobFile, or every problem of the file with its line and column.
 *
 * Order of work: YAML syntax (with the mis-indented-key diagnosis), then the JSON Schema, then the
 * rules a schema cannot state; findings inside parts YAML misread are dropped, so each mistake gets
 * one message. A JobFile is returned only when there are no issues at all.
 */
import { isAlias, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import type { JobFile, ValidationIssue } from './types.ts';
import { validate as validateSchema } from './job-schema-validator.generated.js';
import { findingsFromAjv } from './schema-errors.ts';
import { semanticFindings } from './semantic-checks.ts';
import { limitFindings, MAX_ISSUES_SHOWN } from './limits.ts';
import { toJobFile } from './normalize.ts';
import { tabIndentedLines, TAB_MESSAGE } from './tab-indent.ts';
import { yamlSyntaxReport } from './yaml-syntax.ts';
import type { Poison } from './yaml-syntax.ts';
import { createLocator, linePos, offsetOf } from './yaml-locate.ts';
import type { Finding } from './yaml-locate.ts';

export interface ParseResult {
  /** set only when `issues` is empty */
  job?: JobFile;
  /** every problem of the file, ordered by position */
  issues: ValidationIssue[];
}

export function parseJob(text: string, file: string): ParseResult {
  const lines = new LineCounter();
  // duplicate keys are found by yamlSyntaxReport, in one pass (yaml's own check is quadratic)
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false, uniqueKeys: false });
  const tabs = tabIndentedLines(text, doc);
  if (tabs.length > 0) return { issues: capped(tabs.map((at) => ({ file, ...at, message: TAB_MESSAGE }))) };
  const syntax = yamlSyntaxReport(doc, { text, lines });
  const issues: ValidationIssue[] = syntax.problems.map(({ line, col, message }) => ({ file, line, col, message }));
  if (syntax.fatal) return { issues: capped(issues) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { issues: [...issues, aliasIssue(doc, lines, file, error)] };
  }
  if (data === null || data === undefined) {
    if (issues.length === 0) {
      issues.push({
        file,
        line: 1,
        col: 1,
        message: 'the file is empty; a job needs a `name:` and either `run:` or `uses:`, e.g. `name: Hello` and `run: echo hello`',
      });
    }
    return { issues };
  }

  const findings = [...schemaFindings(data), ...semanticFindings(data), ...limitFindings(data)];
  const locate = createLocator(doc);
  for (const finding of findings) {
    const located = locate(finding.path);
    if (isPoisoned(syntax.poison, located.trail, located.complete)) continue;
    issues.push({ file, ...linePos(lines, offsetOf(located, finding.at)), message: finding.message });
  }
  const unique = dedupe(issues);
  if (unique.length > 0) return { issues: capped(unique) };
  return { job: toJobFile(data as Record<string, unknown>, { file, lines, locate }), issues: [] };
}

/**
 * The validator is compiled from the schema at build time (`npm run schema`). It keeps the last
 * result on `validateSchema.errors`, read right after the synchronous call, so no state outlives a call.
 */
function schemaFindings(data: unknown): Finding[] {
  return validateSchema(data) ? [] : findingsFromAjv(validateSchema.errors ?? [], data);
}

function isPoisoned(poison: Poison, trail: readonly Node[], complete: boolean): boolean {
  const last = trail[trail.length - 1];
  return trail.some((node) => poison.subtrees.has(node)) || (complete && last !== undefined && poison.exact.has(last));
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((issue) => {
      const key = `${issue.line}:${issue.col}:${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The first MAX_ISSUES_SHOWN issues, and one more that counts the rest and points at the first of them. */
function capped(issues: ValidationIssue[]): ValidationIssue[] {
  const rest = issues.slice(MAX_ISSUES_SHOWN);
  const next = rest[0];
  if (next === undefined) return issues;
  return [
    ...issues.slice(0, MAX_ISSUES_SHOWN),
    {
      ...next,
      message: `${rest.length.toLocaleString('en-US')} more problems from here on are not shown (at most ${MAX_ISSUES_SHOWN} per file); fix the ones above and validate again`,
    },
  ];
}

/** `toJS` throws on an alias whose anchor is missing, or on too many aliases (a "billion laughs" file). */
function aliasIssue(doc: Document, lines: LineCounter, file: string, error: unknown): ValidationIssue {
  let offset = 0;
  let name: string | undefined;
  visit(doc, {
    Alias(_, node) {
      if (name === undefined && isAlias(node) && node.resolve(doc) === undefined) {
        name = node.source;
        offset = node.range?.[0] ?? 0;
      }
    },
  });
  const message =
    name !== undefined
      ? `unknown alias '*${name}'; define the anchor \`&${name}\` on a value before this line, or quote the value if '*' is meant literally`
      : `the file uses too many YAML aliases (${error instanceof Error ? error.message : String(error)}); write the values out instead`;
  return { file, ...linePos(lines, offset), message };
}
