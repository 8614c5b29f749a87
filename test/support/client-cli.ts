import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { ClientIo } from '../../src/cli/commands/client-io.ts';
import { registerClientCommands } from '../../src/cli/commands/client.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the client commands in-process through a commander program with injected env and stdio, so
 * every output is captured. Commander's own usage errors count as exit 2, as in the real CLI.
 */
export async function runClientCli(args: string[], options: { env: Record<string, string>; stdin?: string }): Promise<CliResult> {
  const out: CliResult = { code: 0, stdout: '', stderr: '' };
  const io: ClientIo = {
    env: options.env,
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    readStdin: async () => options.stdin ?? '',
    stdinIsTty: false,
    readFile: (path) => readFile(path, 'utf8'),
    setExitCode: (code) => void (out.code = code),
  };
  const program = new Command().name('pistages').exitOverride().configureOutput({ writeErr: (text) => void (out.stderr += text) });
  registerClientCommands(program, io);
  try {
    await program.parseAsync(['node', 'pistages', ...args]);
  } catch (error) {
    out.code = 2;
    if (!out.stderr.includes(String((error as Error).message))) out.stderr += String(error);
  }
  return out;
}
