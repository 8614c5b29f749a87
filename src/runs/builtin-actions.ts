import { parseJob } from '../pipeline/parse.ts';
import type { JobFile } from '../pipeline/types.ts';

/** The image of `Checkout` when PISTAGES_CHECKOUT_IMAGE does not say (the config's default). */
export const DEFAULT_CHECKOUT_IMAGE = 'alpine/git';

/**
 * Actions jobs can `dep` on without registering them (repository runs and `pistages run`; a
 * registered or repository-local action of the same name wins). `Checkout` fetches the event's
 * commit into /workspace with the run's short-lived PISTAGES_GIT_TOKEN, sent as an HTTP header so
 * the token is never written into the clone's configuration. In a local run /workspace already
 * holds the work tree, so it does nothing there.
 */
export function builtinActions(checkoutImage: string = DEFAULT_CHECKOUT_IMAGE): JobFile[] {
  const text = `name: Checkout
description: Fetch the commit that triggered the run into /workspace
image: ${JSON.stringify(checkoutImage)}
with:
  depth: 1
run: |
  set -e
  if [ "$PISTAGES_EVENT" = local ]; then echo "Checkout: a local run's /workspace already holds the work tree"; exit 0; fi
  if [ -z "$PISTAGES_CLONE_URL" ] || [ -z "$PISTAGES_SHA" ]; then echo "Checkout: this run has no repository (PISTAGES_CLONE_URL, PISTAGES_SHA); it works in runs started by GitHub" >&2; exit 1; fi
  git init -q .
  if [ -n "$PISTAGES_GIT_TOKEN" ]; then
    auth="$(printf 'x-access-token:%s' "$PISTAGES_GIT_TOKEN" | base64 | tr -d '\\n')"
    git -c http.extraHeader="Authorization: Basic $auth" fetch -q --depth={{ .depth }} "$PISTAGES_CLONE_URL" "$PISTAGES_SHA"
  else
    git fetch -q --depth={{ .depth }} "$PISTAGES_CLONE_URL" "$PISTAGES_SHA"
  fi
  git checkout -q FETCH_HEAD
  git log -1 --format='Checked out %h: %s'
`;
  const { job, issues } = parseJob(text, '<built-in Checkout>');
  if (job === undefined) throw new Error(`the built-in Checkout action is invalid: ${issues.map((i) => i.message).join('; ')}`);
  return [job];
}
