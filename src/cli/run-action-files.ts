import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseJob } from '../pipeline/parse.ts';
import type { JobFile } from '../pipeline/types.ts';
import type { RunActionFile } from '../runs/run-actions.ts';
import { actionDirsFor, displayPath } from './load-files.ts';

/**
 * The local action files a job uses, directly or through other actions, to send with `submit`:
 * from each `--actions DIR` and the job's repository `.pistages/actions/`, as `run` and `plan` load
 * them. Names found in no local file are left to the server's registered actions. A local file that
 * does not parse is sent too, so the server reports it as `run` would. Files are named as the user
 * sees them, so the server's errors point at them.
 */
export async function actionFilesFor(file: string, jobText: string, explicitDirs: string[]): Promise<RunActionFile[]> {
  const job = parseJob(jobText, file).job;
  if (job === undefined) return [];
  const local = new Map<string, { job: JobFile; sent: RunActionFile }>();
  const broken: RunActionFile[] = [];
  for (const dir of await actionDirsFor([file], explicitDirs)) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
    } catch (error) {
      throw new Error(`cannot read the actions folder ${displayPath(dir)}: ${(error as Error).message}; check the --actions path`, { cause: error });
    }
    for (const name of names) {
      const path = displayPath(resolve(dir, name));
      const yaml = await readFile(resolve(dir, name), 'utf8');
      const parsed = parseJob(yaml, path);
      if (parsed.job === undefined || parsed.issues.length > 0) broken.push({ file: path, yaml });
      else if (!local.has(parsed.job.name)) local.set(parsed.job.name, { job: parsed.job, sent: { file: path, yaml } });
    }
  }
  const chosen = new Map<string, RunActionFile>();
  const visit = (from: JobFile): void => {
    for (const group of from.groups) {
      for (const step of group.steps) {
        if (step.dep === undefined || chosen.has(step.dep)) continue;
        const found = local.get(step.dep);
        if (found === undefined) continue;
        chosen.set(step.dep, found.sent);
        visit(found.job);
      }
    }
  };
  visit(job);
  return [...chosen.values(), ...broken];
}
