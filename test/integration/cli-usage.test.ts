import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { start } from '../support/cli-process.ts';

/** What every command shares: --version, usage errors, and the README's examples as printed. */
const pistages = (args: string[]) => start(args).exited(60_000);

describe('usage', () => {
  it('--version prints the version; usage errors exit 2 in every command', async () => {
    const version = await pistages(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    for (const args of [['validate'], ['plan', 'x.yaml', '--nope'], ['runs', '--limit', 'x'], ['logs'], ['no-such-command']]) {
      const result = await pistages(args);
      assert.equal(result.code, 2, `pistages ${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error: /m);
    }
  });
});

describe('the README’s examples', () => {
  it('ships the seed’s mis-indented example the README shows, with the message it shows', async () => {
    const result = await pistages(['validate', 'examples/mistakes/build.yaml']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'examples/mistakes/build.yaml:5:9: `image:` is indented deeper than `dep:` above it; keys of one step must start in the same column — align `image:` with `dep:`\n');
  });

});
