import path from 'node:path';

/**
 * The folder beside the repository the project must never read, and the variable that once pointed there.
 * Spelt in parts, so that the detector itself names neither and any scan for them finds only real reads.
 */
export const SIBLING_FOLDER = ['sha', 'red'].join('');
export const OLD_OVERRIDE = ['LOCKBOX', 'REFERENCE', 'DIR'].join('_');

/** Names that only make sense when reading a folder beside the repository. */
const FORBIDDEN = [
  new RegExp(String.raw`\.\.[\\/]+${SIBLING_FOLDER}\b`),
  new RegExp(String.raw`\b${SIBLING_FOLDER}[\\/]+reference\b`),
  new RegExp(String.raw`\b${OLD_OVERRIDE}\b`),
];

/** A quoted relative path ('..', './x', '../../y'); a template literal counts up to its first `${`. */
const RELATIVE_LITERAL = /(['"`])(\.{1,2}(?:[\\/][^'"`$\s]*)?)(?:\1|\$\{)/g;

/** `path.resolve(__dirname, 'a', '..')` and the like: the segments are separate arguments. */
const DIRNAME_CALL = /path\.(?:resolve|join)\(\s*__dirname\s*((?:,\s*(['"`])[^'"`]*\2\s*)+)\)/g;

/** `$(dirname "$0")/../..` in a shell script. */
const SCRIPT_DIR = /\$\(dirname\s+"?\$0"?\)((?:[\\/][^\s"'`;)]*)?)/g;

/** Marks a line whose relative-looking string is data (a hostile input, say), never a path the project reads. */
export const NOT_A_PATH = 'not a path:';

export interface OutsideRead { file: string; line: number; text: string; why: string }

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Every place in `text` (the contents of `file`, inside `root`) that names or resolves to a path outside `root`. */
export function findOutsideReads(root: string, file: string, text: string): OutsideRead[] {
  const dir = path.dirname(file);
  const escapes = (target: string): boolean => {
    const relative = path.relative(root, target);
    return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  };
  const found: OutsideRead[] = [];
  const lines = text.split('\n');
  const report = (index: number, snippet: string, why: string): void => {
    if (lines[lineOf(text, index) - 1]!.includes(`// ${NOT_A_PATH}`)) return;
    found.push({ file: path.relative(root, file), line: lineOf(text, index), text: snippet, why });
  };
  for (const pattern of FORBIDDEN) {
    for (const m of text.matchAll(new RegExp(pattern, 'g'))) report(m.index, m[0], 'names a folder outside the repository');
  }
  for (const m of text.matchAll(RELATIVE_LITERAL)) {
    if (escapes(path.resolve(dir, m[2]!))) report(m.index, m[0], 'a relative path that climbs above the repository');
  }
  for (const m of text.matchAll(DIRNAME_CALL)) {
    const segments = [...m[1]!.matchAll(/(['"`])([^'"`]*)\1/g)].map((s) => s[2]!);
    if (escapes(path.resolve(dir, ...segments))) report(m.index, m[0], 'resolves above the repository');
  }
  for (const m of text.matchAll(SCRIPT_DIR)) {
    if (escapes(path.resolve(dir, `.${m[1] ?? ''}`))) report(m.index, m[0], 'a script path that climbs above the repository');
  }
  return found;
}
