import type { Plan } from '../pipeline/types.ts';
import { createStyle } from './style.ts';

/**
 * The plan for humans: each group, its containers, and the steps inside them.
 *
 *   group make  (2 containers)
 *   ┌ container 0  pistages/git:local
 *   │  1. Clone Repo      git clone /srv/demo.git .
 *   │  2. make build      make build          (inherited)
 *   └
 */
export function drawPlan(plan: Plan, colour: boolean): string {
  const s = createStyle(colour);
  const lines: string[] = [`${s.bold(plan.job)}  ${s.dim(`(${plan.groups.length} group${plan.groups.length === 1 ? '' : 's'} in parallel)`)}`];
  const params = Object.entries(plan.params);
  if (params.length > 0) lines.push(s.dim(`parameters: ${params.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`));
  for (const group of plan.groups) {
    const containers = new Set(group.steps.map((step) => step.container)).size;
    lines.push('', `${s.keyed(group.name, `group ${group.name}`)}  ${s.dim(`(${group.steps.length} step${group.steps.length === 1 ? '' : 's'}, ${containers} container${containers === 1 ? '' : 's'})`)}`);
    let current = -1;
    for (const step of group.steps) {
      if (step.container !== current) {
        if (current !== -1) lines.push('  └');
        current = step.container;
        lines.push(`  ┌ container ${step.container}  ${s.bold(step.image)}`);
      }
      const via = step.actions.length > 0 && step.actions.join(' → ') !== step.name ? s.dim(`  ← ${step.actions.join(' → ')}`) : '';
      const inherited = step.startsContainer ? '' : s.dim('  (inherited)');
      lines.push(`  │ ${step.index + 1}. ${step.name}${via}${inherited}`);
      // one `$` per command; a multi-line script (a block scalar) continues under it, without a trailing empty line
      for (const command of step.commands) {
        const [first = '', ...rest] = command.replace(/\n+$/, '').split('\n');
        lines.push(`  │      ${s.dim('$')} ${first}`);
        for (const line of rest) lines.push(`  │        ${line}`);
      }
    }
    if (current !== -1) lines.push('  └');
  }
  return `${lines.join('\n')}\n`;
}
