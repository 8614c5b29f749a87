/**
 * Which parameters a job/action file declares, and the parameters a run of a job starts with.
 * Jobs and actions are the same format, so the same rule applies to both: a parameter is declared when
 * the file's `with` has it or one of the file's own templates references it (`steps` is reserved for
 * step outputs and never a parameter). Templates of *other* actions it uses do not count: those
 * parameters belong to the other action and are passed through the `dep` step's `with`.
 */
import { issueAt } from './errors.ts';
import { didYouMean } from './suggest.ts';
import { STEP_OUTPUTS, type Templates } from './template.ts';
import type { JobFile, Scalar, ValidationIssue } from './types.ts';

export interface DeclaredParams {
  /** every declared name, `with` keys first, in file order */
  all: string[];
  /** the same names, for lookups */
  names: ReadonlySet<string>;
  /** names some template of the file uses (they need a value from `with` or the caller) */
  referenced: string[];
}

/** Every template text of a file: image, env values, and each step's name, image, run, env, `with`. */
export function templateTexts(file: JobFile): string[] {
  const texts: string[] = [];
  if (file.image !== undefined) texts.push(file.image);
  texts.push(...Object.values(file.env));
  for (const group of file.groups) {
    for (const step of group.steps) {
      if (step.name !== undefined) texts.push(step.name);
      if (step.image !== undefined) texts.push(step.image);
      if (step.run !== undefined) texts.push(...step.run);
      if (step.env !== undefined) texts.push(...Object.values(step.env));
      if (step.with !== undefined) {
        for (const value of Object.values(step.with)) if (typeof value === 'string') texts.push(value);
      }
    }
  }
  return texts;
}

/**
 * Declared parameters of `file`. Templates that do not parse are skipped here; rendering reports them
 * at the step that holds them, so each problem is reported once.
 */
export function declaredParams(file: JobFile, templates: Templates): DeclaredParams {
  // Sets, not list scans: a file may declare tens of thousands of parameters
  const referenced = new Set<string>();
  for (const text of templateTexts(file)) {
    let names: string[];
    try {
      names = templates.references(text);
    } catch {
      continue;
    }
    for (const name of names) if (name !== STEP_OUTPUTS) referenced.add(name);
  }
  const all = new Set(Object.keys(file.with));
  for (const name of referenced) all.add(name);
  return { all: [...all], names: all, referenced: [...referenced] };
}

/**
 * The job's parameters: its `with` defaults overlaid by `given`. A given name the job does not declare,
 * and a referenced name with no value, are issues at the job's position.
 */
export function jobParams(
  job: JobFile,
  given: Record<string, Scalar>,
  declared: DeclaredParams,
  issues: ValidationIssue[],
): Record<string, Scalar> {
  const params: Record<string, Scalar> = { ...job.with };
  for (const [name, value] of Object.entries(given)) {
    if (declared.names.has(name)) {
      params[name] = value;
    } else {
      const hint = declared.all.length > 0 ? didYouMean(name, declared.all) : 'it takes no parameters';
      issues.push(issueAt(job.pos, `job '${job.name}' has no parameter '${name}'; ${hint}`));
    }
  }
  for (const name of declared.referenced) {
    if (!Object.hasOwn(params, name)) {
      issues.push(
        issueAt(
          job.pos,
          `job '${job.name}' uses parameter '${name}' but it has no value; give it a default under the job's 'with:' or pass it when running the job (--with ${name}=...)`,
        ),
      );
    }
  }
  return params;
}
