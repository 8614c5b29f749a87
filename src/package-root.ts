/**
 * The folder of Pistages' package.json, from wherever the running code sits: the sources (src/),
 * the compiled tree (dist/), or the bundle and its chunks (dist/bundle/…). Files shipped with the
 * package (package.json, schema/, examples/) are found from here, never by a path relative to one
 * module, which moves when the code is compiled or bundled.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'pistages';

/** The nearest folder at or above `from` (a file URL or path) holding the package.json named "pistages". */
export function packageRoot(from: string = import.meta.url): string {
  const start = from.startsWith('file:') ? fileURLToPath(from) : from;
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readName(manifest) === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`no package.json named "${PACKAGE_NAME}" in any folder above ${start}; run Pistages from its package (a checkout, the npm package or the image), with package.json next to bin/ and dist/`);
    }
  }
}

/** Pistages' own version, from its package.json. */
export function packageVersion(root: string = packageRoot()): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

function readName(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined; // an unreadable or malformed package.json is not ours
  }
}
