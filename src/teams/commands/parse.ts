import type { SwitchAction } from '../../domain/admin';
import type { SourceKind } from '../../domain/request';

export type Command =
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'pending' }
  | { kind: 'history'; count: number }
  | { kind: 'switch'; action: SwitchAction; source?: SourceKind }
  | { kind: 'unknown'; input: string; suggestion?: string; problem?: CommandProblem };

/** What is wrong with a known command's arguments; the handler words it in the reader's language. */
export type CommandProblem =
  | { kind: 'no-arguments'; command: 'help' | 'status' | 'pending' }
  | { kind: 'history-count'; max: number }
  | { kind: 'switch-product'; command: SwitchAction };

export const COMMAND_NAMES = ['help', 'status', 'pending', 'history', 'enable', 'disable'] as const;
export const HISTORY_DEFAULT = 10;
export const HISTORY_MAX = 50;

const PREFIX = /^\/?lockbox(?:\s+|$)/i;
/**
 * A command is a few words; a mention in front adds a few dozen characters. Anything past this is never
 * read, so a message of any size costs the same to parse.
 */
export const COMMAND_TEXT_MAX = 1000;

/** Is this message meant for the command parser at all? Anything starting with "/lockbox" or "lockbox". */
export function isCommand(text: string): boolean {
  return PREFIX.test(clean(text));
}

/** Reads a `/lockbox …` command: mentions stripped, case and extra spaces tolerated, nothing but whole words matched. */
export function parseCommand(text: string): Command {
  const input = clean(text);
  const words = input.replace(PREFIX, '').split(/\s+/).filter(Boolean).map((w) => w.toLowerCase());
  const [name, ...args] = words;
  switch (name) {
    case undefined:
    case 'help':
      return args.length ? unknown(input, { kind: 'no-arguments', command: 'help' }) : { kind: 'help' };
    case 'status':
    case 'pending':
      return args.length ? unknown(input, { kind: 'no-arguments', command: name }) : { kind: name };
    case 'history': {
      if (args.length === 0) return { kind: 'history', count: HISTORY_DEFAULT };
      const count = Number(args[0]);
      if (args.length > 1 || !Number.isInteger(count) || count < 1 || count > HISTORY_MAX) return unknown(input, { kind: 'history-count', max: HISTORY_MAX });
      return { kind: 'history', count };
    }
    case 'enable':
    case 'disable': {
      if (args.length === 0) return { kind: 'switch', action: name };
      if (args.length === 1 && (args[0] === 'azure' || args[0] === 'm365')) return { kind: 'switch', action: name, source: args[0] };
      return unknown(input, { kind: 'switch-product', command: name });
    }
    default:
      return { kind: 'unknown', input, suggestion: nearest(name) };
  }
}

function unknown(input: string, problem: CommandProblem): Command {
  return { kind: 'unknown', input, problem };
}

/**
 * Teams puts an @mention in the text as <at>Name</at>; HTML entities and stray spaces come along too.
 * No pattern here can scan past the next `<`, so each character is looked at a bounded number of times.
 */
function clean(text: string): string {
  return text
    .slice(0, COMMAND_TEXT_MAX)
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/<[^<>]*>/g, ' ')
    .trim();
}

/** The command a typo most likely meant, if any is within two edits. */
function nearest(word: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of COMMAND_NAMES) {
    const distance = editDistance(word, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
