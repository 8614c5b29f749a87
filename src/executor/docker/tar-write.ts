/** Just enough tar (ustar, with pax records for long or non-ASCII names) to write archives for the engine. */

export const TAR_BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

export interface TarEntry {
  /** relative path with `/` separators; a directory's ends in `/` */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  /** permission bits, e.g. 0o755 */
  mode: number;
  /** bytes of content that follow the header (files only) */
  size?: number;
  mtime?: Date;
  /** a symlink's target */
  linkname?: string;
}

const TYPEFLAG = { file: '0', directory: '5', symlink: '2' } as const;

/** The header block(s) of one entry: a pax header first when ustar cannot hold a field. */
export function tarHeader(entry: TarEntry): Buffer {
  const size = entry.type === 'file' ? (entry.size ?? 0) : 0;
  const records: [string, string][] = [];
  if (!fitsUstar(entry.name)) records.push(['path', entry.name]);
  if (entry.linkname !== undefined && !fitsUstar(entry.linkname)) records.push(['linkpath', entry.linkname]);
  if (size > MAX_OCTAL_SIZE) records.push(['size', String(size)]);
  const main = block(entry.name, entry.mode, size > MAX_OCTAL_SIZE ? 0 : size, entry.mtime, TYPEFLAG[entry.type], entry.linkname ?? '');
  if (records.length === 0) return main;
  const body = Buffer.from(records.map(([key, value]) => paxRecord(key, value)).join(''), 'utf8');
  return Buffer.concat([block('PaxHeader', 0o644, body.length, entry.mtime, 'x', ''), body, padding(body.length), main]);
}

/** Zero bytes that complete a file's content of `size` bytes to whole blocks. */
export function padding(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(TAR_BLOCK - rest);
}

/** The end-of-archive marker: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * TAR_BLOCK);
}

/** A complete archive of empty directories, e.g. to create a layout inside a volume. */
export function directoriesArchive(names: string[]): Buffer {
  const headers = names.map((name) => tarHeader({ name: name.endsWith('/') ? name : `${name}/`, type: 'directory', mode: 0o755 }));
  return Buffer.concat([...headers, tarEnd()]);
}

function fitsUstar(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') < 100 && /^[\x20-\x7e]*$/.test(text);
}

function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const restBytes = Buffer.byteLength(rest, 'utf8');
  let length = restBytes + 1;
  while (String(length).length + restBytes !== length) length = String(length).length + restBytes;
  return `${length}${rest}`;
}

function block(name: string, mode: number, size: number, mtime: Date | undefined, typeflag: string, linkname: string): Buffer {
  const header = Buffer.alloc(TAR_BLOCK);
  header.write(fitsUstar(name) ? name : name.replace(/[^\x20-\x7e]/g, '_').slice(-99), 0, 100, 'latin1');
  octal(header, 100, 8, mode & 0o7777);
  octal(header, 108, 8, 0);
  octal(header, 116, 8, 0);
  octal(header, 124, 12, size);
  octal(header, 136, 12, Math.floor((mtime ?? new Date(0)).getTime() / 1000));
  header.write(typeflag, 156, 1, 'latin1');
  header.write(fitsUstar(linkname) ? linkname : '', 157, 100, 'latin1');
  header.write('ustar\0' + '00', 257, 8, 'latin1');
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return header;
}

function octal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}
