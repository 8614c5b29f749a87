/**
 * `pistages worker` as a child process for tests: the real command (registerWorker → main.ts
 * buildServices) configured from the environment, without going through the CLI entry point.
 */
import { Command } from 'commander';
import { registerWorker } from '../../src/cli/commands/worker.ts';

const program = new Command().name('pistages');
registerWorker(program);
await program.parseAsync(['node', 'pistages', 'worker', ...process.argv.slice(2)]);
