import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';

/**
 * Local test images, built without any registry from the host's static busybox
 * (apt: busybox-static). Built once per engine; an existing tag is reused.
 *   pistages-test/busybox:1      sh and every busybox applet, /tmp, /etc/passwd
 *   pistages-test/busybox-alt:1  the same plus /etc/alt-image, to tell images apart
 *   pistages-test/no-shell:1     only /bin/busybox, no `sh` on the PATH
 *   pistages-test/entrypoint:1   busybox whose ENTRYPOINT exits at once, like a CLI tool image
 */
export type TestImage = 'pistages-test/busybox:1' | 'pistages-test/busybox-alt:1' | 'pistages-test/no-shell:1' | 'pistages-test/entrypoint:1';

export const BUSYBOX_IMAGE: TestImage = 'pistages-test/busybox:1';
export const BUSYBOX_ALT_IMAGE: TestImage = 'pistages-test/busybox-alt:1';
export const NO_SHELL_IMAGE: TestImage = 'pistages-test/no-shell:1';
export const ENTRYPOINT_IMAGE: TestImage = 'pistages-test/entrypoint:1';

const BUSYBOX = '/bin/busybox';

export async function ensureTestImage(docker: Dockerode, name: TestImage): Promise<string> {
  try {
    await docker.getImage(name).inspect();
    return name;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const root = mkdtempSync(join(tmpdir(), 'pistages-image-'));
  try {
    buildRootfs(root, name);
    await importRootfs(docker, root, name);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return name;
}

function buildRootfs(root: string, name: TestImage): void {
  for (const dir of ['bin', 'etc', 'root', 'workspace']) mkdirSync(join(root, dir));
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  if (name === NO_SHELL_IMAGE) return;
  mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
  chmodSync(join(root, 'tmp'), 0o1777);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a !== '' && a !== 'busybox');
  for (const applet of applets) symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  if (name === BUSYBOX_ALT_IMAGE) writeFileSync(join(root, 'etc/alt-image'), 'busybox-alt\n');
}

/** `tar -C root -c . | docker import - name`, through the engine API. */
async function importRootfs(docker: Dockerode, root: string, name: string): Promise<void> {
  const tar = spawn('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tarDone = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${String(code)}`))));
  });
  const [repo, tag] = name.split(':');
  const changes = ['ENV PATH=/bin', 'CMD ["/bin/sh"]'];
  if (name === ENTRYPOINT_IMAGE) changes.push('ENTRYPOINT ["/bin/false"]');
  const progress = await docker.importImage(tar.stdout, { repo, tag, changes } as object);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((e) => e.error !== undefined);
      if (err) reject(err);
      else if (failed) reject(new Error(`docker import of ${name} failed: ${failed.error}`));
      else resolve();
    });
  });
  await tarDone;
}
