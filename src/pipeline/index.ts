/** The public API of the pure pipeline: text → JobFile → Plan, templates, triggers, errors, types. */
export { parseJob } from './parse.ts';
export { createCatalog } from './catalog.ts';
export { buildPlan } from './plan.ts';
export { PARAM_ENV_PREFIX, paramEnv, paramEnvName } from './param-env.ts';
export { resolveJob, type ResolvedGroup, type ResolvedJob } from './resolve-job.ts';
export type { ResolvedStep } from './resolve.ts';
export { matchesPullRequest, matchesPush } from './triggers.ts';
export {
  createTemplates,
  findStepOutputRefs,
  references,
  render,
  renderStepOutputs,
  STEP_OUTPUTS,
  TemplateError,
  type StepOutputRef,
  type TemplateErrorKind,
  type TemplateOptions,
  type Templates,
  type TemplateView,
} from './template.ts';
export { ValidationError, formatIssue, issueAt, uniqueIssues } from './errors.ts';
export * from './types.ts';
