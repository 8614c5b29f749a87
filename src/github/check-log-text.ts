/**
 * output.text of a failed run's check run: the log tail of each failing step in a fenced block.
 * When the tails together exceed GitHub's 65,535 bytes, each keeps its last lines (where the error
 * usually is) within a fair share of the room, and says so with a link to the full log.
 */
import type { RunRecord } from '../store/store.ts';
import type { ReportContext, StepLogTail } from './check-types.ts';
import { OUTPUT_LIMIT, STATUS_ICON, cutNote } from './check-summary.ts';
import { byteLength, fitBytes, lastBytes } from './fit-bytes.ts';
import { FAILED_STATUSES } from './run-outcome.ts';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[ -/]*[@-~]`, 'g');
/** room kept free for rounding in the shares */
const SLACK = 64;

interface Block {
  tail: StepLogTail;
  lines: string[];
  fence: string;
  link: string;
}

/** what a terminal would show: colours removed, only the text after the last carriage return */
function plain(line: string): string {
  const text = line.replace(ANSI, '');
  const cr = text.lastIndexOf('\r');
  return cr >= 0 && cr < text.length - 1 ? text.slice(cr + 1) : text.replace(/\r$/, '');
}

/** a backtick fence longer than any backtick run in the lines, so no log line can close it */
function fenceFor(lines: string[]): string {
  const longest = Math.max(0, ...lines.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))));
  return '`'.repeat(Math.max(3, longest + 1));
}

function render(block: Block, lines: string[], cut: boolean): string {
  const { tail } = block;
  const where = `${tail.group} › ${tail.stepName}${tail.attempt > 1 ? ` (attempt ${tail.attempt})` : ''}`;
  const note = cut
    ? `… cut to fit GitHub's limit; full log: ${block.link}`
    : tail.clipped
      ? `last ${lines.length} lines; full log: ${block.link}`
      : `full log: ${block.link}`;
  const body = lines.map((line) => `${line}\n`).join('');
  return `### ${STATUS_ICON[tail.status]} ${where}: ${tail.status}\n${note}\n\n${block.fence}\n${body}${block.fence}`;
}

/** the last lines of `lines` that fit in `budget` bytes (a single overlong line keeps its end) */
function keepLast(lines: string[], budget: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const size = byteLength(lines[i]!) + 1;
    if (used + size <= budget) {
      kept.unshift(lines[i]!);
      used += size;
      continue;
    }
    if (kept.length === 0 && budget > 1) kept.unshift(lastBytes(lines[i]!, budget - 1));
    break;
  }
  return kept;
}

/** Splits `room` bytes among blocks of the given sizes: small ones get all they need, the rest share evenly. */
function shares(sizes: number[], room: number): number[] {
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a]! - sizes[b]!);
  const out = sizes.map(() => 0);
  let left = room;
  order.forEach((i, k) => {
    out[i] = Math.max(0, Math.min(sizes[i]!, Math.floor(left / (order.length - k))));
    left -= out[i]!;
  });
  return out;
}

/** Markdown of the failing steps' log tails, at most OUTPUT_LIMIT bytes; undefined when no step failed. */
export function checkLogText(run: RunRecord, tails: StepLogTail[], ctx: ReportContext): string | undefined {
  const blocks: Block[] = tails
    .filter((tail) => FAILED_STATUSES.includes(tail.status))
    .map((tail) => {
      const lines = tail.lines.map(plain);
      const url = ctx.logUrl?.(tail.group, tail.step, tail.attempt) ?? ctx.runUrl;
      return { tail, lines, fence: fenceFor(lines), link: url ?? `\`pistages logs ${run.id}\`` };
    });
  if (blocks.length === 0) return undefined;
  const whole = blocks.map((block) => render(block, block.lines, false)).join('\n\n');
  if (byteLength(whole) <= OUTPUT_LIMIT) return whole;
  const overhead = blocks.reduce((sum, block) => sum + byteLength(render(block, [], true)) + 2, 0);
  const sizes = blocks.map((block) => block.lines.reduce((sum, line) => sum + byteLength(line) + 1, 0));
  const room = shares(sizes, OUTPUT_LIMIT - overhead - SLACK);
  const text = blocks
    .map((block, i) => {
      const cut = room[i]! < sizes[i]!;
      return render(block, cut ? keepLast(block.lines, room[i]!) : block.lines, cut);
    })
    .join('\n\n');
  return fitBytes(text, OUTPUT_LIMIT, cutNote(run, ctx));
}
