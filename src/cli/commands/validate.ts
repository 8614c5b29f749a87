import type { Command } from 'commander';
import { resolve } from 'node:path';
import { buildPlan } from '../../pipeline/plan.ts';
import { ValidationError, formatIssue, uniqueIssues } from '../../pipeline/errors.ts';
import type { ValidationIssue } from '../../pipeline/types.ts';
import { actionDirsFor, loadActions, readJobFile } from '../load-files.ts';
import { collectList } from '../options.ts';

/**
 * `pistages validate FILE... [--actions DIR] [-q]`: exit 0 and `ok: N files` on stdout when every file
 * is valid (nothing with -q), else exit 1 with one
 * `file:line:col: message` line per problem on stderr. Jobs are also planned, so unknown actions and
 * parameters are caught; files that are actions (in an actions folder) are checked as actions:
 * their parameters may be left for the caller to fill.
 */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check job and action files; prints file:line:col: message per problem')
    .argument('<files...>', 'job or action files (.yaml/.yml)')
    .option('--actions <dir>', 'a folder of action files (repeatable)', collectList, [])
    .option('-q, --quiet', 'print nothing on success')
    .action(async (files: string[], options: { actions: string[]; quiet?: boolean }) => {
      const issues = await validateFiles(files, options.actions);
      for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
      if (issues.length === 0 && !options.quiet) process.stdout.write(`ok: ${files.length} file${files.length === 1 ? '' : 's'}\n`);
      process.exitCode = issues.length === 0 ? 0 : 1;
    });
}

export async function validateFiles(files: string[], actionDirs: string[]): Promise<ValidationIssue[]> {
  const loaded = await loadActions(await actionDirsFor(files, actionDirs));
  const issues: ValidationIssue[] = [...loaded.issues];
  for (const file of files) {
    const path = resolve(file);
    const parsed = await readJobFile(file);
    if (loaded.files.has(path)) continue; // already parsed (and reported) as an action
    issues.push(...parsed.issues);
    if (!parsed.job) continue;
    try {
      buildPlan(parsed.job, loaded.catalog, {});
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  return uniqueIssues(issues);
}
