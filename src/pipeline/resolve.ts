/**
 * `dep` expansion: turns the steps of a group into leaf steps (each runs commands), inlining actions
 * from an ActionCatalog, merging parameters and rendering templates. Container choice is left to
 * plan.ts; a leaf only says which image it asks for and which images it falls back to.
 *
 * Contracts:
 * - Registered actions are only read, never mutated; every object in the result is freshly built.
 * - Every problem is collected into `issues` (expansion continues past it), so a user sees them all.
 * - A single-run action (a file with top-level `run`) becomes one leaf. Its `image` is a *fallback*
 *   (rule 3 of the runtime context), never a forced new container, so a `dep` after another step
 *   inherits that step's container.
 * - A composite action (one group) is inlined step by step, recursively. The caller's `image` applies to
 *   the first inlined step (forcing a new container, as for any step with `image`); the composite's own
 *   top-level `image` is a fallback after the inner steps' (innermost action image wins).
 * - Overrides go caller-last: env is job → action → inner step → caller step; resources likewise;
 *   timeout is the caller step's, else the inner step's, else the action's, else (in plan) the job's.
 * - The caller's `name` on a composite `dep` prefixes the inlined steps' names ("Name / inner"); its `id`
 *   goes to the last inlined step, whose outputs are the composite's outputs.
 */
import { issueAt } from './errors.ts';
import { MAX_STEPS } from './limits.ts';
import { paramEnvProblems } from './param-env.ts';
import { declaredParams, type DeclaredParams } from './params.ts';
import { expandedName, nearestNames, NO_ENV, NO_IMAGES, overlayEnv, overlayResources } from './resolve-helpers.ts';
import { didYouMean } from './suggest.ts';
import { TemplateError, type Templates } from './template.ts';
import type { ActionCatalog, JobFile, Resources, Scalar, SourcePos, StepSpec, ValidationIssue } from './types.ts';

/**
 * A step after expansion: commands to run and everything needed to choose its container.
 * Read-only: leaves are shared (between the uses of a composite, and with the action's positions), so
 * whoever builds output from them copies. Every field is always present (one object shape: faster).
 */
export interface ResolvedStep {
  readonly id: string | undefined;
  readonly name: string;
  readonly commands: readonly string[];
  /** action and step env, rendered; the job's env is added by the plan */
  readonly env: Readonly<Record<string, string>>;
  /** rule 1: the step (or the caller's `dep` step) asks for a new container from this image */
  readonly image: string | undefined;
  /** rule 3: images to start a first container from, innermost action first (job image not included) */
  readonly fallbackImages: readonly string[];
  readonly timeoutMs: number | undefined;
  readonly resources: Resources | undefined;
  /** the `dep` chain, outermost first */
  readonly actions: readonly string[];
  /** the parameters of the job or action whose file holds the step (its PISTAGES_PARAM_* variables) */
  readonly params: Readonly<Record<string, Scalar>>;
  readonly pos: SourcePos;
  /** expansion failed (already reported); planning must not report follow-on problems for it */
  readonly broken: boolean;
}

/** Where templates of a step are rendered: the parameters of the job or action that holds it. */
export interface Scope {
  params: Record<string, Scalar>;
  /** the file holding the steps (job or action): named in messages */
  file: JobFile;
  /** names of the actions being expanded, outermost first */
  actions: string[];
  /** the job's name when the job is itself the registered action of that name (for cycles) */
  root?: string;
  /** referenced parameters without value, already reported: rendering does not report them again */
  missing: ReadonlySet<string>;
}

export interface Resolver {
  expand(steps: readonly StepSpec[], scope: Scope): ResolvedStep[];
  declared(file: JobFile): DeclaredParams;
  /** renders `text` in `scope`; on error reports at `pos` and returns the text unrendered */
  render(text: string, scope: Scope, pos: SourcePos, field: string): string;
  renderEnv(env: Record<string, string> | undefined, scope: Scope, pos: SourcePos): Readonly<Record<string, string>>;
}

export function createResolver(catalog: ActionCatalog, templates: Templates, issues: ValidationIssue[]): Resolver {
  const declaredCache = new Map<JobFile, DeclaredParams>();
  const compositeCache = new Map<JobFile, Map<string, ResolvedStep[]>>();
  const declared = (file: JobFile): DeclaredParams => {
    let found = declaredCache.get(file);
    if (found === undefined) {
      found = declaredParams(file, templates);
      declaredCache.set(file, found);
    }
    return found;
  };

  const render = (text: string, scope: Scope, pos: SourcePos, field: string): string => {
    try {
      return templates.render(text, scope.params);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      if (e.kind === 'unresolved' && e.names.every((name) => scope.missing.has(name))) return text;
      const where = scope.actions.length > 0 ? ` (in action '${scope.actions.at(-1)}', ${scope.file.file})` : '';
      issues.push(issueAt(pos, `${field}: ${e.message}${where}`));
      return text;
    }
  };

  const renderEnv = (env: Record<string, string> | undefined, scope: Scope, pos: SourcePos): Readonly<Record<string, string>> => {
    if (env === undefined) return NO_ENV;
    const out: Record<string, string> = {};
    for (const key in env) out[key] = render(env[key]!, scope, pos, `env ${key}`);
    return out;
  };

  const renderImage = (image: string | undefined, scope: Scope, pos: SourcePos): string | undefined =>
    image === undefined ? undefined : render(image, scope, pos, 'image');

  const runLeaf = (step: StepSpec, scope: Scope): ResolvedStep => {
    if (step.with !== undefined && Object.keys(step.with).length > 0) {
      issues.push(issueAt(step.pos, `'with' passes parameters to a 'dep' action, but this step has 'run'; move the values to the ${scope.actions.length > 0 ? "action's" : "job's"} 'with'`));
    }
    const commands = (step.run ?? []).map((command) => render(command, scope, step.pos, 'run'));
    return {
      id: step.id,
      name: step.name !== undefined ? render(step.name, scope, step.pos, 'name') : expandedName(commands),
      commands,
      env: renderEnv(step.env, scope, step.pos),
      image: renderImage(step.image, scope, step.pos),
      fallbackImages: NO_IMAGES,
      timeoutMs: step.timeoutMs,
      resources: step.resources,
      actions: scope.actions,
      params: scope.params,
      pos: step.pos,
      broken: false,
    };
  };

  const brokenLeaf = (step: StepSpec, scope: Scope, image: string | undefined): ResolvedStep => ({
    id: step.id,
    name: step.name ?? step.dep ?? 'step',
    commands: [],
    env: NO_ENV,
    image,
    fallbackImages: NO_IMAGES,
    timeoutMs: undefined,
    resources: undefined,
    actions: [...scope.actions, step.dep ?? ''],
    params: scope.params,
    pos: step.pos,
    broken: true,
  });

  /** The action's parameters for this call: its defaults overlaid by the caller's rendered `with`. */
  const callParams = (step: StepSpec, action: JobFile, scope: Scope): Scope => {
    const decl = declared(action);
    const params: Record<string, Scalar> = { ...action.with };
    for (const [key, value] of Object.entries(step.with ?? {})) {
      if (!decl.names.has(key)) {
        const hint = decl.all.length > 0 ? didYouMean(key, decl.all) : 'it takes no parameters';
        issues.push(issueAt(step.withPos?.[key] ?? step.pos, `${action.name} has no parameter '${key}'; ${hint}`));
        continue;
      }
      params[key] = typeof value === 'string' ? render(value, scope, step.pos, `with ${key}`) : value;
    }
    for (const problem of paramEnvProblems(params, `action '${action.name}' (${action.file})`)) issues.push(issueAt(step.pos, problem));
    const missing = decl.referenced.filter((name) => !Object.hasOwn(params, name));
    for (const name of missing) {
      issues.push(issueAt(step.pos, `parameter '${name}' of action '${action.name}' (${action.file}) has no value; pass it in this step's 'with:' or give it a default in the action's 'with:'`));
    }
    const child: Scope = { params, file: action, actions: [...scope.actions, action.name], missing: new Set(missing) };
    if (scope.root !== undefined) child.root = scope.root;
    return child;
  };

  const expandDep = (step: StepSpec, name: string, scope: Scope): ResolvedStep[] => {
    const callerImage = renderImage(step.image, scope, step.pos);
    const action = catalog.get(name);
    if (action === undefined) {
      issues.push(issueAt(step.pos, `unknown action '${name}'${nearestNames(name, catalog.names())}`));
      return [brokenLeaf(step, scope, callerImage)];
    }
    if (scope.root === name || scope.actions.includes(name)) {
      const loop = [...(scope.root !== undefined ? [scope.root] : []), ...scope.actions];
      const cycle = [...loop.slice(loop.indexOf(name)), name].join(' → ');
      issues.push(issueAt(step.pos, `dependency cycle: ${cycle}; an action cannot use itself, directly or through other actions`));
      return [brokenLeaf(step, scope, callerImage)];
    }
    const group = action.groups.length === 1 ? action.groups[0] : undefined;
    if (group === undefined) {
      issues.push(issueAt(step.pos, `action '${name}' (${action.file}) has ${action.groups.length} groups (${action.groups.map((g) => g.name).join(', ')}); 'dep' can only inline an action with one group: merge its groups or run it as a job of its own`));
      return [brokenLeaf(step, scope, callerImage)];
    }
    const child = callParams(step, action, scope);
    const actionEnv = renderEnv(action.env, child, action.pos);
    const stepEnv = renderEnv(step.env, scope, step.pos);
    const callerName = step.name !== undefined ? render(step.name, scope, step.pos, 'name') : undefined;
    const inner = group.steps[0];
    if (action.singleRun && inner !== undefined) {
      const image = renderImage(action.image ?? inner.image, child, action.pos);
      const leaf: ResolvedStep = {
        id: step.id,
        name: callerName ?? action.name,
        commands: (inner.run ?? []).map((command) => render(command, child, inner.pos, 'run')),
        env: overlayEnv(actionEnv, renderEnv(inner.env, child, inner.pos), stepEnv),
        image: callerImage,
        fallbackImages: image !== undefined ? [image] : NO_IMAGES,
        timeoutMs: step.timeoutMs ?? inner.timeoutMs ?? action.timeoutMs,
        resources: overlayResources(action.resources, inner.resources, step.resources),
        actions: child.actions,
        params: child.params,
        pos: step.pos,
        broken: false,
      };
      return [leaf];
    }
    const actionImage = renderImage(action.image, child, action.pos);
    const leaves = expandComposite(action, group.steps, child);
    const last = leaves.length - 1;
    return leaves.map(
      (leaf, index): ResolvedStep => ({
        id: index === last && step.id !== undefined ? step.id : leaf.id,
        name: callerName !== undefined ? `${callerName} / ${leaf.name}` : leaf.name,
        commands: leaf.commands,
        env: overlayEnv(actionEnv, leaf.env, stepEnv),
        image: index === 0 && callerImage !== undefined ? callerImage : leaf.image,
        fallbackImages: actionImage !== undefined ? [...leaf.fallbackImages, actionImage] : leaf.fallbackImages,
        timeoutMs: step.timeoutMs ?? leaf.timeoutMs ?? action.timeoutMs,
        resources: overlayResources(action.resources, leaf.resources, step.resources),
        actions: leaf.actions,
        params: leaf.params,
        pos: leaf.pos,
        broken: leaf.broken,
      }),
    );
  };

  /**
   * The inner steps of a composite depend only on the action, its parameters and the dep chain, so a
   * plan that uses an action many times with the same values expands it once. Callers never mutate
   * leaves (they build new objects around them), so sharing is safe.
   */
  const expandComposite = (action: JobFile, steps: readonly StepSpec[], child: Scope): ResolvedStep[] => {
    let byCall = compositeCache.get(action);
    if (byCall === undefined) compositeCache.set(action, (byCall = new Map()));
    const key = `${child.actions.join('\u0000')}\u0001${JSON.stringify(child.params)}`;
    let leaves = byCall.get(key);
    if (leaves === undefined) byCall.set(key, (leaves = expand(steps, child)));
    return leaves;
  };

  // Bounded by MAX_STEPS at every level: actions that use actions could otherwise multiply into millions of steps.
  const expand = (steps: readonly StepSpec[], scope: Scope): ResolvedStep[] => {
    const out: ResolvedStep[] = [];
    for (const step of steps) {
      const leaves = step.dep !== undefined ? expandDep(step, step.dep, scope) : [runLeaf(step, scope)];
      if (out.length + leaves.length > MAX_STEPS) {
        issues.push(issueAt(step.pos, `with the steps of the actions it uses, the job has more than ${MAX_STEPS} steps here, over the limit per job; use fewer or smaller actions, or split the job`));
        return out;
      }
      out.push(...leaves);
    }
    return out;
  };

  return { expand, declared, render, renderEnv };
}
