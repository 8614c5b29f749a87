/**
 * Readiness: each named check is a real round trip (a database ping, a Docker engine ping, a query
 * of the queue's collection), bounded by a timeout so a hung dependency answers "not ready" instead
 * of hanging the probe.
 */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

export interface ReadinessReport {
  ready: boolean;
  /** `ok` or what failed, per check */
  checks: Record<string, string>;
}

const HINTS: Record<string, string> = {
  mongodb: 'check MONGODB_URI and that the database is running',
  docker: 'check that the Docker engine is running and DOCKER_HOST',
  queue: 'the queue lives in the database: check MONGODB_URI',
};

export async function checkReadiness(checks: ReadinessChecks, timeoutMs = 3000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, string]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, 'ok'];
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return [name, `${reason}${HINTS[name] ? `; ${HINTS[name]}` : ''}`];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checksOut = Object.fromEntries(entries);
  return { ready: entries.every(([, result]) => result === 'ok'), checks: checksOut };
}
