/**
 * Does a job's `on:` filter match a push or a pull request? Rules (JOB-FORMAT.md "Triggers", and
 * where it is silent):
 * - a push that deletes a ref (after = all zeros) matches nothing;
 * - no `on:` at all means the defaults of `on: {push: {}}`: such a job runs on pushes only. An `on:`
 *   without `push` never matches a push; one without `pull_request` never matches a pull request.
 *   So pull requests run only jobs that list `pull_request` (a pull request from a branch of the
 *   same repository is already built by the push of that branch);
 * - push branches: globs, default every branch; tags: globs, default none. Each default applies on
 *   its own (unlike GitHub Actions, listing only `tags` does not turn branch pushes off);
 * - pull_request branches: globs of the *base* branch (the one merged into), default every branch;
 * - paths (both triggers): globs over repository paths, `!` excludes. Patterns apply in order and
 *   the last one that matches decides (as in .gitignore); the start is "excluded", or "included"
 *   when every pattern is an exclusion. A change matches when some changed file ends up included.
 *   Unknown changed files (undefined) match; a known empty list matches nothing when `paths` is given.
 * Globs: `*` stays within a path segment, `**` crosses segments, dotfiles are ordinary names, and a
 * pattern is matched against the whole path (`*.md` is a top-level file; write `**\/*.md` for any depth).
 */
import picomatch from 'picomatch';
import type { PullRequestInfo, PushFilter, PushInfo, Triggers } from './types.ts';

const DELETED = /^0+$/;
const GLOB_OPTIONS = { dot: true };

export function matchesPush(on: Triggers | undefined, push: PushInfo): boolean {
  if (DELETED.test(push.after)) return false;
  const filter: PushFilter | undefined = on === undefined ? {} : on.push;
  if (filter === undefined) return false;
  return refMatches(filter, push.ref) && pathsMatch(filter.paths, push.changedFiles);
}

export function matchesPullRequest(on: Triggers | undefined, pr: PullRequestInfo): boolean {
  const filter = on?.pull_request;
  if (filter === undefined) return false;
  const branchMatches = filter.branches === undefined || anyGlob(filter.branches, pr.baseBranch);
  return branchMatches && pathsMatch(filter.paths, pr.changedFiles);
}

function refMatches(filter: PushFilter, ref: string): boolean {
  if (ref.startsWith('refs/heads/')) {
    return filter.branches === undefined || anyGlob(filter.branches, ref.slice('refs/heads/'.length));
  }
  if (ref.startsWith('refs/tags/')) {
    return filter.tags !== undefined && anyGlob(filter.tags, ref.slice('refs/tags/'.length));
  }
  return false;
}

function anyGlob(globs: readonly string[], name: string): boolean {
  return globs.some((glob) => picomatch.isMatch(name, glob, GLOB_OPTIONS));
}

function pathsMatch(patterns: readonly string[] | undefined, changed: readonly string[] | undefined): boolean {
  if (patterns === undefined || changed === undefined) return true;
  const rules = patterns.map((pattern) => {
    const exclude = pattern.startsWith('!');
    return { exclude, matches: picomatch(exclude ? pattern.slice(1) : pattern, GLOB_OPTIONS) };
  });
  const startIncluded = rules.every((rule) => rule.exclude);
  return changed.some((file) => {
    let included = startIncluded;
    for (const rule of rules) if (rule.matches(file)) included = !rule.exclude;
    return included;
  });
}
