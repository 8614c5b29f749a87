import type { FollowUpdate } from '../../src/web/log-hub.ts';

/** Collects a log follower's lines and end in the background; `done` settles when the follow ends. */
export function collectFollow(updates: AsyncGenerator<FollowUpdate>): { got: { texts: string[]; end: FollowUpdate['end'] }; done: Promise<void> } {
  const got = { texts: [] as string[], end: undefined as FollowUpdate['end'] };
  const done = (async () => {
    for await (const update of updates) {
      got.texts.push(...update.lines.map((l) => l.line));
      if (update.end !== undefined) got.end = update.end;
    }
  })();
  return { got, done };
}
