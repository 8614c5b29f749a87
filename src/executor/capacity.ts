import type { Plan } from '../pipeline/types.ts';
import type { EngineCapacity } from './executor.ts';

/**
 * The first step of `plan` whose resource limits exceed what the engine can give a container, as a
 * message that names the step and the fix; undefined when every step fits. Checked before a run
 * starts, so a job the engine would refuse never runs half its steps.
 */
export function beyondCapacity(plan: Plan, capacity: EngineCapacity): string | undefined {
  for (const group of plan.groups) {
    for (const step of group.steps) {
      const cpus = step.resources?.cpus;
      if (cpus !== undefined && cpus > capacity.cpus) {
        return (
          `step "${step.name}" of group "${group.name}" asks for cpus: ${cpus}, but the Docker engine of this worker has ${capacity.cpus} CPUs; ` +
          `set \`resources.cpus\` to at most ${capacity.cpus}`
        );
      }
    }
  }
  return undefined;
}
