/** Builders of parsed JobFiles for pipeline unit tests (no YAML involved). */
import type { ActionCatalog, JobFile, Scalar, StepSpec } from '../../../src/pipeline/types.ts';

type StepInput = Omit<StepSpec, 'pos' | 'run'> & { run?: string | string[] };

export interface JobInput {
  file?: string;
  image?: string;
  with?: Record<string, Scalar>;
  env?: Record<string, string>;
  timeoutMs?: number;
  retry?: number;
  resources?: JobFile['resources'];
  secrets?: string[];
  uses?: Record<string, StepInput[]>;
  /** top-level run: a single-run file (group `main`, one step {image, run}) */
  run?: string | string[];
}

/** A job or action file; steps get positions line 4, 5, ... of `file` so tests can assert them. */
export function job(name: string, input: JobInput = {}): JobFile {
  const file = input.file ?? `${slug(name)}.yaml`;
  let line = 3;
  const step = (s: StepInput): StepSpec => {
    const { run, ...rest } = s;
    const out: StepSpec = { ...rest, pos: { file, line: ++line, col: 7 } };
    if (run !== undefined) out.run = typeof run === 'string' ? [run] : run;
    return out;
  };
  const groups =
    input.run !== undefined
      ? [{ name: 'main', pos: { file, line: 3, col: 1 }, steps: [step({ run: input.run, ...(input.image ? { image: input.image } : {}) })] }]
      : Object.entries(input.uses ?? {}).map(([groupName, steps]) => ({
          name: groupName,
          pos: { file, line: ++line, col: 3 },
          steps: steps.map(step),
        }));
  const out: JobFile = {
    file,
    name,
    with: input.with ?? {},
    env: input.env ?? {},
    groups,
    singleRun: input.run !== undefined,
    secrets: input.secrets ?? [],
    pos: { file, line: 1, col: 1 },
  };
  if (input.image !== undefined) out.image = input.image;
  if (input.timeoutMs !== undefined) out.timeoutMs = input.timeoutMs;
  if (input.retry !== undefined) out.retry = input.retry;
  if (input.resources !== undefined) out.resources = input.resources;
  return out;
}

/** A plain map catalog that neither copies nor freezes: tests of immutability use it on purpose. */
export function catalogOf(...actions: JobFile[]): ActionCatalog {
  const byName = new Map(actions.map((a) => [a.name, a]));
  return { get: (name) => byName.get(name), names: () => [...byName.keys()] };
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
