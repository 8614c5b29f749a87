/**
 * The runtime-context rules of JOB-FORMAT.md, applied to the expanded steps of one group, in order:
 * 1. the step has `image` → a new container from it;
 * 2. no `image`, and the group already has a container → the latest container (inherited context);
 * 3. no `image`, no container yet → a new container from the innermost action image that applies,
 *    else the job's top-level image; none at all is an issue naming group and step.
 * An action's own image therefore only matters while the group has no container yet.
 */
import { issueAt } from './errors.ts';
import type { ResolvedStep } from './resolve.ts';
import type { ValidationIssue } from './types.ts';

export interface ContainerChoice {
  image: string;
  /** numbered from 0 within the group */
  container: number;
  startsContainer: boolean;
}

export function assignContainers(
  steps: readonly ResolvedStep[],
  jobImage: string | undefined,
  group: string,
  issues: ValidationIssue[],
): ContainerChoice[] {
  let current: { container: number; image: string } | undefined;
  let next = 0;
  return steps.map((step) => {
    if (step.image === undefined && current !== undefined) {
      return { image: current.image, container: current.container, startsContainer: false };
    }
    let image = step.image ?? step.fallbackImages[0] ?? jobImage;
    if (image === undefined) {
      // Reported once; the placeholder container lets later steps inherit it without more noise.
      if (!step.broken) {
        issues.push(
          issueAt(
            step.pos,
            `group '${group}', step '${step.name}': no image to run in; give the step 'image:', give the job a top-level 'image:', or use an action that has one`,
          ),
        );
      }
      image = '';
    }
    current = { container: next++, image };
    return { image, container: current.container, startsContainer: true };
  });
}
