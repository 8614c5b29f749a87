import { pino, type Logger } from 'pino';
import type { Config } from '../config.ts';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_COLOUR: Record<string, number> = { trace: 90, debug: 90, info: 36, warn: 33, error: 31, fatal: 31 };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/**
 * The logger of `serve` and `worker`: JSON lines for log collectors, or one readable line per
 * record on a terminal (`12:00:01 info  message key=value`). PISTAGES_LOG_FORMAT chooses; `auto`
 * goes by whether stdout is a terminal.
 */
export function createProcessLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  stdout: NodeJS.WriteStream = process.stdout,
  env: Record<string, string | undefined> = process.env,
): Logger {
  const readable = config.logFormat === 'text' || (config.logFormat === 'auto' && stdout.isTTY === true);
  if (!readable) return pino({ level: config.logLevel }, stdout);
  const colour = stdout.isTTY === true && !env.NO_COLOR;
  return pino({ level: config.logLevel }, { write: (line: string) => void stdout.write(readableLine(line, colour)) });
}

/** One pino JSON record as `HH:MM:SS level message key=value ...`; a line that is not JSON passes through. */
export function readableLine(json: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVELS[record.level as number] ?? String(record.level);
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now()).toTimeString().slice(0, 8);
  const paint = (code: number, text: string): string => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${fieldText(key, value)}`);
  const rest = fields.length > 0 ? ` ${paint(90, fields.join(' '))}` : '';
  return `${paint(90, time)} ${paint(LEVEL_COLOUR[level] ?? 0, level.padEnd(5))} ${String(record.msg ?? '')}${rest}\n`;
}

function fieldText(key: string, value: unknown): string {
  if (key === 'err' && typeof value === 'object' && value !== null) {
    const err = value as { message?: string; stack?: string };
    return JSON.stringify(err.stack ?? err.message ?? value);
  }
  return typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value);
}
