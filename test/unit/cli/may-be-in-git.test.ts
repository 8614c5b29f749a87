import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mayBeInGit } from '../../../src/cli/work-tree.ts';

describe('mayBeInGit', () => {
  const root = mkdtempSync(join(tmpdir(), 'pistages-git-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is false with no .git in the folder or above it, and no git variables', () => {
    mkdirSync(join(root, 'plain', 'deep'), { recursive: true });
    // tmpdir() itself is in no repository on a test machine; if it were, this test says so
    assert.equal(mayBeInGit(join(root, 'plain', 'deep'), {}), false);
  });

  it('is true with a .git folder or file (a worktree or submodule) in the folder or any folder above', () => {
    mkdirSync(join(root, 'repo', '.git'), { recursive: true });
    mkdirSync(join(root, 'repo', 'src', 'pkg'), { recursive: true });
    assert.equal(mayBeInGit(join(root, 'repo', 'src', 'pkg'), {}), true);
    mkdirSync(join(root, 'worktree'), { recursive: true });
    writeFileSync(join(root, 'worktree', '.git'), 'gitdir: /elsewhere\n');
    assert.equal(mayBeInGit(join(root, 'worktree'), {}), true);
  });

  it('is true whenever GIT_DIR or GIT_WORK_TREE is set', () => {
    assert.equal(mayBeInGit(join(root, 'plain'), { GIT_DIR: '/somewhere/.git' }), true);
    assert.equal(mayBeInGit(join(root, 'plain'), { GIT_WORK_TREE: '/somewhere' }), true);
  });
});
