/**
 * Parses a $PISTAGES_OUTPUT file: `key=value` lines, later lines win, blank lines and a trailing
 * `\r` ignored. Keys are what a template can reference (`{{ .steps.<id>.outputs.<key> }}`), so
 * they must be identifiers; the value is everything after the first `=`, kept verbatim.
 *
 * Malformed lines are returned as `problems` (one message per line) next to the good pairs: the
 * executor fails a successful step on them rather than drop them silently, since a later step
 * would otherwise see a missing output with no hint why.
 */

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export interface ParsedOutputs {
  outputs: Record<string, string>;
  problems: string[];
}

export function parseOutputs(text: string): ParsedOutputs {
  // a Map, so a key like `__proto__` is an ordinary key
  const outputs = new Map<string, string>();
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (eq < 0 || !KEY.test(key)) {
      const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      problems.push(
        `line ${index + 1} of $PISTAGES_OUTPUT is not key=value with a key of letters, digits, '_' or '-': ${JSON.stringify(shown)}; ` +
          `write e.g. \`echo "version=1.2" >> "$PISTAGES_OUTPUT"\``,
      );
      return;
    }
    outputs.set(key, line.slice(eq + 1));
  });
  return { outputs: Object.fromEntries(outputs), problems };
}
