import type { Command } from 'commander';
import { hostname } from 'node:os';
import { isProcessAlive } from '../processes.ts';

/**
 * `pistages prune`: removes the containers, volumes and networks of local runs on this machine whose
 * `pistages run` process is gone (killed, crashed, or quit with a second Ctrl-C). Runs still in
 * progress, other machines' runs and server runs are left alone. `pistages run` does the same at start.
 */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('remove containers, volumes and networks left by local runs whose process is gone')
    .action(async () => {
      // the Docker client loads only here, so `pistages --help` does not pay for it
      const [{ default: Docker }, { reapLocalLeftovers }] = await Promise.all([import('dockerode'), import('../../executor/docker/reaper.ts')]);
      const docker = new Docker();
      try {
        const { containers, volumes, networks } = await reapLocalLeftovers(docker, hostname(), isProcessAlive);
        process.stdout.write(`removed ${containers} container(s), ${volumes} volume(s) and ${networks} network(s)\n`);
      } catch (err) {
        process.stderr.write(`pistages prune: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
