import { statfs } from 'node:fs/promises';

/**
 * Below this much free space PostgreSQL may not get its next write-ahead log segment (16 MiB);
 * failing that write it stops, and it cannot start again until there is room.
 */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;

/** undefined while `dir`'s file system has `minFree` bytes free, else what is wrong and what to do */
export async function diskSpaceProblem(dir: string, minFree = MIN_FREE_BYTES): Promise<string | undefined> {
  const info = await statfs(dir);
  const free = info.bavail * info.bsize;
  if (free >= minFree) return undefined;
  const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;
  return `the disk of ${dir} is full (${mib(free)} free, the database needs ${mib(minFree)} to keep writing): free space there; meanwhile runs whose output cannot be stored end with an error`;
}
