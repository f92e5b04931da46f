/** What every benchmark shares: how Chromium is launched, and percentiles of samples. */

export const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** p50, p95 and max of some samples, in ms, under `name`. */
export function summary(name: string, values: number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    [`${name}.p50Ms`]: Math.round(percentile(sorted, 50)),
    [`${name}.p95Ms`]: Math.round(percentile(sorted, 95)),
    [`${name}.maxMs`]: Math.round(sorted[sorted.length - 1] ?? NaN),
  };
}
