import type { Status } from '../pipeline/types.ts';

/** ANSI styling that turns itself off when output is not a terminal (or NO_COLOR is set). */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  status(status: Status): string;
  /** a stable colour per key (group/step prefixes) */
  keyed(key: string, text: string): string;
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 } as const;
const palette = [36, 35, 34, 33, 32, 96, 95, 94];

export function createStyle(enabled: boolean): Style {
  const on = enabled && !process.env.NO_COLOR;
  const wrap = (code: number, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
  const statusColour: Record<Status, number> = {
    queued: codes.gray,
    running: codes.blue,
    success: codes.green,
    failure: codes.red,
    error: codes.red,
    timed_out: codes.yellow,
    cancelled: codes.yellow,
    skipped: codes.gray,
  };
  return {
    bold: (text) => wrap(1, text),
    dim: (text) => wrap(2, text),
    status: (status) => wrap(statusColour[status], status),
    keyed: (key, text) => {
      let hash = 0;
      for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
      return wrap(palette[hash % palette.length] ?? 36, text);
    },
  };
}
