/**
 * Tiny `--name value` / `--flag` parser for the Node scripts. Each command declares its usage line
 * and every flag it knows in one {@link Command} (a new flag is one line there): a flag it does not
 * know is an error that shows the usage line, never silently ignored.
 */
import { InputError } from './input-error';

export type Args = Record<string, string | boolean>;

export interface Command {
  /** One line: how the command is called. */
  usage: string;
  /** Every flag the command reads, without the leading `--`. */
  flags: readonly string[];
}

export function parseArgs(argv: readonly string[], command: Command): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new InputError(`unexpected argument "${a}"\n${command.usage}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!command.flags.includes(name)) throw unknownFlag(name, command.flags, command.usage);
    if (eq > 0) out[name] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[name] = argv[++i];
    else out[name] = true;
  }
  return out;
}

/** The error for a flag not in `known`: the nearest known spelling when there is one, and the usage line. */
export function unknownFlag(name: string, known: readonly string[], usage: string): InputError {
  const near = nearest(name, known);
  return new InputError(`unknown flag --${name}${near ? ` (did you mean --${near}?)` : ''}\n${usage}`);
}

/** The known word closest to `word` (a typo: at most two edits, or a prefix), if any. */
function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.startsWith(word) || word.startsWith(candidate) ? 1 : editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.min(2, Math.max(1, Math.floor(word.length / 3))) ? best : undefined;
}

/** Levenshtein distance, a transposition counting as one edit (`--txet` is one from `--text`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

export function num(args: Args, name: string, fallback: number): number {
  const v = args[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n)) throw new InputError(`--${name} needs a number`);
  return n;
}

export function str(args: Args, name: string, fallback: string): string;
export function str(args: Args, name: string): string | undefined;
export function str(args: Args, name: string, fallback?: string): string | undefined {
  const v = args[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new InputError(`--${name} needs a value`);
  return v;
}

/** The value of an enumerated flag: one of `accepted`, else an error listing them. */
export function choice<T extends string>(args: Args, name: string, accepted: readonly T[], fallback: T): T;
export function choice<T extends string>(args: Args, name: string, accepted: readonly T[]): T | undefined;
export function choice<T extends string>(args: Args, name: string, accepted: readonly T[], fallback?: T): T | undefined {
  const v = str(args, name);
  if (v === undefined) return fallback;
  if (!accepted.includes(v as T)) {
    const near = nearest(v, accepted);
    throw new InputError(`--${name} must be one of ${accepted.join(', ')} (got "${v}"${near ? `; did you mean ${near}?` : ''})`);
  }
  return v as T;
}
