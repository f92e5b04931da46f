/**
 * What every benchmark shares: how Chromium is launched, percentiles of samples, and scripts
 * that watch the app's page (long tasks, the first row, the lead count, folding done).
 */
import type { Page } from 'playwright';

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

/** Page scripts are source text: tsx would wrap named helpers in one pages lack. */
export const OBSERVE = `(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.longTasks.push({ at: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.firstRowAt = undefined;
  new MutationObserver(() => {
    if (window.firstRowAt === undefined && document.querySelector('[aria-label="Lead list"] > li')) {
      window.firstRowAt = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
})()`;

export const longestSince = (since: number): string =>
  `Math.max(0, ...window.longTasks.filter((t) => t.at >= ${since}).map((t) => t.ms))`;

export async function waitForCount(page: Page, count: number, timeout: number): Promise<void> {
  await page.getByLabel(`${count.toLocaleString('en')} leads`).waitFor({ timeout });
}

/** Every fact taken in is folded into a stored lead (no `folding` mark in the workspace's meta). */
export const FOLDED = (workspace: string): string => `new Promise((resolve, reject) => {
  const req = indexedDB.open(${JSON.stringify(`converge-ws-${workspace}`)});
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const get = req.result.transaction('meta').objectStore('meta').get('folding');
    get.onsuccess = () => { resolve(get.result === undefined); req.result.close(); };
    get.onerror = () => reject(get.error);
  };
})`;
