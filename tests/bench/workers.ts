/**
 * What the benchmarks read from the app's web workers, from outside the page: each worker's
 * JavaScript heap (after a garbage collection), and the performance measures the workers note
 * (`converge:team-doc-load`, `converge:list-load`).
 */
import type { Browser, Page } from 'playwright';

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

/** Used heap of the worker whose script URL contains `name`, after a full GC, in MB. */
export async function workerHeapMb(browser: Browser, name: string): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = (targetInfos as TargetInfo[]).find(
      (t) => t.type === 'worker' && t.url.includes(name),
    );
    if (!target) throw new Error(`no ${name} worker`);
    const { sessionId } = await cdp.send('Target.attachToTarget', {
      targetId: target.targetId,
      flatten: false,
    });
    let id = 0;
    const call = (method: string): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const mine = ++id;
        const listener = (event: { sessionId: string; message: string }): void => {
          const reply = JSON.parse(event.message) as {
            id?: number;
            result?: Record<string, unknown>;
            error?: { message: string };
          };
          if (event.sessionId !== sessionId || reply.id !== mine) return;
          cdp.off('Target.receivedMessageFromTarget', listener);
          if (reply.error) reject(new Error(reply.error.message));
          else resolve(reply.result ?? {});
        };
        cdp.on('Target.receivedMessageFromTarget', listener);
        void cdp.send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id: mine, method }),
        });
      });
    await call('HeapProfiler.enable');
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    await cdp.send('Target.detachFromTarget', { sessionId });
    return Math.round(((usage.usedSize as number) / 1024 / 1024) * 10) / 10;
  } finally {
    await cdp.detach();
  }
}

/** The duration of a performance measure a worker noted (the last one of that name), ms. */
export async function workerMeasureMs(page: Page, name: string, measure: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    for (const worker of page.workers()) {
      if (!worker.url().includes(name)) continue;
      const ms = await worker.evaluate(
        (m) => performance.getEntriesByName(m).at(-1)?.duration ?? -1,
        measure,
      );
      if (ms >= 0) return Math.round(ms);
    }
    if (Date.now() > deadline) throw new Error(`no ${measure} in the ${name} worker`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
