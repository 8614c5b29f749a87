/**
 * Where the stores report noteworthy conditions (a server feature missing and the fallback taken).
 * Shaped so a pino logger adapts in one line: `(level, msg, details) => logger[level](details, msg)`.
 */
export type StoreLog = (level: 'info' | 'warn', message: string, details?: Record<string, unknown>) => void;

export const consoleStoreLog: StoreLog = (level, message, details) => {
  const line = `[pistages:store] ${message}${details ? ` ${JSON.stringify(details)}` : ''}`;
  if (level === 'warn') console.warn(line);
  else console.info(line);
};
