// Small, dependency-free statistics for the benchmarks: every figure in docs/benchmarks.md is a median of
// rounds or a percentile of samples, computed here one way so the report means the same thing everywhere.

/** Linear interpolation between closest ranks (the "R-7" definition spreadsheets use). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
}

export function distribution(values: readonly number[]): Distribution {
  return { count: values.length, p50: percentile(values, 50), p99: percentile(values, 99) };
}

/**
 * Runs every side once per round, starting each round one side further along (A B C, B C A, C A B, …), so
 * slow drift of a shared machine (other jobs starting, thermal throttling) falls on every side alike.
 * Returns each side's samples in round order.
 */
export async function rotate<T>(rounds: number, sides: ReadonlyArray<() => Promise<T>>): Promise<T[][]> {
  const samples: T[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < sides.length; i++) {
      const side = (round + i) % sides.length;
      (samples[side] as T[]).push(await (sides[side] as () => Promise<T>)());
    }
  }
  return samples;
}

/** Two sides, A B then B A: see {@link rotate}. */
export async function alternate<T>(
  rounds: number,
  a: () => Promise<T>,
  b: () => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const [aSamples = [], bSamples = []] = await rotate(rounds, [a, b]);
  return { a: aSamples, b: bSamples };
}

/** Median of per-round ratios: robust to one noisy round, and each ratio compares runs seconds apart. */
export function medianRatio(figures: readonly number[], baselines: readonly number[]): number {
  return median(figures.map((f, i) => f / (baselines[i] as number)));
}
