/** Exit codes of `pistages run` and of following a server run (JOB-FORMAT.md, command line). */
export const EXIT = { success: 0, failed: 1, usage: 2, interrupted: 130 } as const;
