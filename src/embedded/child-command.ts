import { access, constants, readFile } from 'node:fs/promises';

/** An account an embedded server runs as. */
export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

export interface ChildCommand {
  command: string;
  args: string[];
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * The unprivileged account for servers that refuse root (PostgreSQL) when this process is root: the
 * `pistages` user when it exists (scripts/setup.sh creates it), else `nobody`. Undefined when this
 * process is not root.
 */
export async function serviceUser(passwdFile = '/etc/passwd'): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const entries = (await readFile(passwdFile, 'utf8')).split('\n').map((line) => line.split(':'));
  for (const wanted of ['pistages', 'nobody']) {
    const entry = entries.find((fields) => fields[0] === wanted);
    if (entry && entry[2] !== undefined && entry[3] !== undefined) return { name: wanted, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error('running as root, but neither a `pistages` nor a `nobody` user exists to run the embedded PostgreSQL as; run scripts/setup.sh');
}

/**
 * Wraps a command so that the kernel signals it when this process dies, even by SIGKILL
 * (`setpriv --pdeathsig`), and, with `runAs`, so that it runs as that account. Without setpriv
 * (not Linux) the command runs as is, and the data directory lock reports leftovers instead.
 */
export async function childCommand(command: string, args: string[], options: { deathSignal: NodeJS.Signals; runAs?: RunAs }): Promise<ChildCommand> {
  const hasSetpriv = await access(SETPRIV, constants.X_OK).then(() => true, () => false);
  if (!hasSetpriv) {
    if (options.runAs) throw new Error(`running as root needs ${SETPRIV} (util-linux) to start ${command} as ${options.runAs.name}`);
    return { command, args };
  }
  const user = options.runAs ? ['--reuid', String(options.runAs.uid), '--regid', String(options.runAs.gid), '--clear-groups'] : [];
  return { command: SETPRIV, args: [...user, '--pdeathsig', options.deathSignal.replace(/^SIG/, ''), '--', command, ...args] };
}
