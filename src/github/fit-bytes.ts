/**
 * Byte-exact cuts of text for GitHub's limits, which count UTF-8 bytes (check-run summary and
 * text ≤ 65,535). A cut never splits a code point.
 */

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** a UTF-8 continuation byte (10xxxxxx) never starts a code point */
function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * `text` when it fits in `maxBytes`; else its start, cut before a code point, followed by `note`,
 * the whole at most `maxBytes` bytes. A note longer than `maxBytes` is itself cut.
 */
export function fitBytes(text: string, maxBytes: number, note: string): string {
  if (byteLength(text) <= maxBytes) return text;
  const room = maxBytes - byteLength(note);
  if (room < 0) return fitBytes(note, maxBytes, '');
  const bytes = Buffer.from(text, 'utf8');
  let end = room;
  while (end > 0 && isContinuation(bytes[end])) end--;
  return bytes.subarray(0, end).toString('utf8') + note;
}

/** the end of `text` in at most `maxBytes` bytes, starting at a code point */
export function lastBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - Math.max(0, maxBytes);
  while (start < bytes.length && isContinuation(bytes[start])) start++;
  return bytes.subarray(start).toString('utf8');
}
