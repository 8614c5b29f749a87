import type { SourcePos, ValidationIssue } from './types.ts';

/** `file:line:col: message`, the one format every tool and API uses for job-file problems. */
export function formatIssue(issue: ValidationIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.message}`;
}

/** The same problem reached twice (e.g. an action used by many steps) is reported once. */
export function uniqueIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = formatIssue(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function issueAt(pos: SourcePos, message: string): ValidationIssue {
  return { file: pos.file, line: pos.line, col: pos.col, message };
}

/** Thrown by the pipeline when a file (or the files it uses) cannot be planned; carries every issue. */
export class ValidationError extends Error {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ValidationError';
    this.issues = issues;
  }
}
