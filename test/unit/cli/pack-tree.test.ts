import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packTree } from '../../../src/cli/pack-tree.ts';
import { findWorkTree, listWorkTree } from '../../../src/cli/work-tree.ts';

/** The archive a local run seeds workspaces with, checked by extracting it with the system's tar. */

let dir = '';
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });

async function extract(root: string, paths: string[]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of packTree(root, paths)) chunks.push(chunk);
  const out = mkdtempSync(join(dir, 'out-'));
  execFileSync('tar', ['-x', '-C', out], { input: Buffer.concat(chunks) });
  return out;
}

describe('work tree listing and packing', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pistages-pack-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('in git: tracked files as on disk, untracked ones not ignored; no ignored, no deleted, no .git', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'sub', 'deep'), { recursive: true });
    git(repo, 'init', '--quiet', '.');
    writeFileSync(join(repo, '.gitignore'), '*.log\n');
    writeFileSync(join(repo, 'kept.txt'), 'committed\n');
    writeFileSync(join(repo, 'gone.txt'), 'deleted later\n');
    writeFileSync(join(repo, 'sub', 'deep', 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(repo, 'sub', 'deep', 'run.sh'), 0o755);
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'init');
    writeFileSync(join(repo, 'kept.txt'), 'changed, not committed\n');
    rmSync(join(repo, 'gone.txt'));
    writeFileSync(join(repo, 'new.txt'), 'untracked\n');
    writeFileSync(join(repo, 'debug.log'), 'ignored\n');

    const tree = await findWorkTree(join(repo, 'sub', 'job.yaml'));
    assert.deepEqual(tree, { root: repo, git: true });
    const paths = await listWorkTree(tree);
    assert.deepEqual(paths, ['.gitignore', 'gone.txt', 'kept.txt', 'new.txt', 'sub/deep/run.sh']);
    const out = await extract(repo, paths);
    assert.equal(readFileSync(join(out, 'kept.txt'), 'utf8'), 'changed, not committed\n');
    assert.equal(readFileSync(join(out, 'new.txt'), 'utf8'), 'untracked\n');
    assert.throws(() => statSync(join(out, 'gone.txt')));
    assert.throws(() => statSync(join(out, 'debug.log')));
    assert.equal(statSync(join(out, 'sub', 'deep', 'run.sh')).mode & 0o777, 0o755);
  });

  it('outside git: every file and folder (empty ones too), symlinks, long and non-ASCII names, a large file', async () => {
    const plain = join(dir, 'plain');
    const long = `${'a-rather-long-folder-name/'.repeat(6)}ünïcode file name.txt`;
    mkdirSync(join(plain, 'empty'), { recursive: true });
    mkdirSync(join(plain, long, '..'), { recursive: true });
    writeFileSync(join(plain, long), 'deep\n');
    symlinkSync('target/that/does/not/exist', join(plain, 'link'));
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
    writeFileSync(join(plain, 'big.bin'), big);

    const tree = await findWorkTree(join(plain, 'job.yaml'));
    assert.deepEqual(tree, { root: plain, git: false });
    const paths = await listWorkTree(tree);
    assert.ok(paths.includes('empty/') && paths.includes(long), paths.join('\n'));
    const out = await extract(plain, paths);
    assert.equal(readFileSync(join(out, long), 'utf8'), 'deep\n');
    assert.ok(statSync(join(out, 'empty')).isDirectory());
    assert.equal(readlinkSync(join(out, 'link')), 'target/that/does/not/exist');
    assert.ok(readFileSync(join(out, 'big.bin')).equals(big));
  });

  it('--workspace DIR inside a repository lists only that folder, relative to it', async () => {
    const repo = join(dir, 'repo2');
    mkdirSync(join(repo, 'part'), { recursive: true });
    git(repo, 'init', '--quiet', '.');
    writeFileSync(join(repo, 'top.txt'), 'x\n');
    writeFileSync(join(repo, 'part', 'inside.txt'), 'y\n');
    const tree = await findWorkTree(join(repo, 'job.yaml'), join(repo, 'part'));
    assert.deepEqual(tree, { root: join(repo, 'part'), git: true });
    assert.deepEqual(await listWorkTree(tree), ['inside.txt']);
  });
});
