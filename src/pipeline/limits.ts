/**
 * Bounds on the size of one job file. A job is validated and planned on the server's event loop
 * and its run is stored as one document, so a file may be large only within these limits; each
 * finding names the limit it breaks. Checked on the data ajv saw, skipping values of the wrong
 * type (ajv reports those).
 */
import { label } from './field-text.ts';
import type { DataPath, Finding } from './yaml-locate.ts';

/** Groups under `uses` (GitHub caps a matrix at 256 jobs). */
export const MAX_GROUPS = 256;
/** Steps of one job file, all groups together. */
export const MAX_STEPS = 1000;
/** UTF-8 bytes of the commands of one step's `run`; well under the 128 KiB Linux takes for one command. */
export const MAX_RUN_BYTES = 64 * 1024;
/** Problems reported for one file; the rest are counted in a last line. */
export const MAX_ISSUES_SHOWN = 100;

type Data = Record<string, unknown>;

const isMap = (value: unknown): value is Data => typeof value === 'object' && value !== null && !Array.isArray(value);
const count = (n: number) => n.toLocaleString('en-US');

export function limitFindings(data: unknown): Finding[] {
  if (!isMap(data)) return [];
  const findings: Finding[] = [];
  findings.push(...runSize(['run'], data.run));
  if (!isMap(data.uses)) return findings;
  const groups = Object.entries(data.uses);
  if (groups.length > MAX_GROUPS) {
    findings.push({
      path: ['uses'],
      at: 'key',
      message: `\`uses\` has ${count(groups.length)} groups, more than the limit of ${MAX_GROUPS} groups per job; split the job into several job files`,
    });
  }
  let steps = 0;
  for (const [group, list] of groups) {
    if (!Array.isArray(list)) continue;
    steps += list.length;
    list.forEach((step, index) => {
      if (isMap(step)) findings.push(...runSize(['uses', group, index, 'run'], step.run));
    });
  }
  if (steps > MAX_STEPS) {
    findings.push({
      path: ['uses'],
      at: 'key',
      message: `the job has ${count(steps)} steps, more than the limit of ${count(MAX_STEPS)} steps per job; split the job into several job files, or move repeated steps into a script`,
    });
  }
  return findings;
}

function runSize(path: DataPath, run: unknown): Finding[] {
  const commands = typeof run === 'string' ? [run] : Array.isArray(run) ? run.filter((c): c is string => typeof c === 'string') : [];
  let bytes = 0;
  for (const command of commands) bytes += Buffer.byteLength(command, 'utf8');
  if (bytes <= MAX_RUN_BYTES) return [];
  return [
    {
      path,
      at: 'key',
      message: `${label(path)} holds ${count(bytes)} bytes of commands, more than the limit of ${count(MAX_RUN_BYTES)} bytes per step; put the script in a file in the repository and run that file`,
    },
  ];
}
