/** Tiny `--name value` / `--flag` parser for the Node scripts. */
import { InputError } from './input-error';

export type Args = Record<string, string | boolean>;

export function parseArgs(argv: readonly string[]): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new InputError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = true;
  }
  return out;
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
