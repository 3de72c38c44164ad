/** Option parsing: command-line flags (bench/run.ts) and environment knobs (bench/soak.ts). */

/** `--name` present among `args`. */
export const argFlag = (args: string[], name: string) => args.includes(`--${name}`);

/** The number after `--name` in `args`, or `fallback`. */
export const argValue = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

/** The number in environment variable `name`, or `fallback` when unset or blank; throws below `min`. */
export const envNumber = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}`);
  return n;
};
