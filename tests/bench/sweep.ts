/**
 * The data lifecycle of a large workspace (SPEC §13, §15), at 100,000 leads. The relay's log
 * before and after a member's snapshot covers it (what the relay holds of it). A backup made from
 * Settings → Backup (click to file) and restored in a fresh browser (click to every lead
 * listed). Then a retention sweep, 90 % of the leads never-engaged and quiet for longer than
 * the retention period (every tenth is assigned, so kept): the sweep's time in the team worker,
 * the longest main-thread task while it runs, and what the browser stores before and after —
 * the leads, the visitors' facts (the rows' bytes), and the team doc (which a sweep must not
 * grow). Days pass on the app's injected clock (`clockOffsetMs`, as in the end-to-end test).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright';
import { startStack } from '../../scripts/stack.ts';
import { randomId } from '../../src/core/bytes.ts';
import { seal } from '../../src/core/seal.ts';
import { buildWorkspace } from '../e2e/workspace-builder.ts';
import { pageView } from '../page-view.ts';
import { FOLDED, LAUNCH, longestSince, OBSERVE, waitForCount } from './shared.ts';
import { workerMeasureMs } from './workers.ts';

const DAY = 86_400_000;

interface Stored {
  leads: number;
  factSegments: number;
  factBytes: number;
  docRows: number;
  docBytes: number;
  usage: number;
}

/** What the workspace's database holds: rows and their bytes, and the origin's usage. */
const STORED = (workspace: string): string => `new Promise((resolve, reject) => {
  const req = indexedDB.open(${JSON.stringify(`converge-ws-${workspace}`)});
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const db = req.result;
    const tx = db.transaction(['leads', 'facts', 'updates']);
    const out = {};
    const leads = tx.objectStore('leads').count();
    leads.onsuccess = () => { out.leads = leads.result; };
    const facts = tx.objectStore('facts').getAll();
    facts.onsuccess = () => {
      out.factSegments = facts.result.length;
      out.factBytes = facts.result.reduce((n, s) => n + s.bytes.byteLength, 0);
    };
    const updates = tx.objectStore('updates').getAll();
    updates.onsuccess = () => {
      out.docRows = updates.result.length;
      out.docBytes = updates.result.reduce((n, u) => n + u.update.byteLength, 0);
    };
    tx.oncomplete = async () => {
      db.close();
      out.usage = (await navigator.storage.estimate()).usage ?? 0;
      resolve(out);
    };
    tx.onerror = () => reject(tx.error);
  };
})`;

const PASSPHRASE = 'a bench passphrase';

/** Makes a backup from Settings → Backup: ms from the click to the file, the file's path. */
async function backUp(
  page: Page,
  dir: string,
): Promise<{ ms: number; file: string; bytes: number }> {
  await page.evaluate("location.hash = '#/settings/backup'");
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Repeat passphrase').fill(PASSPHRASE);
  const started = Date.now();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 600_000 }),
    page.getByRole('button', { name: 'Download backup' }).click(),
  ]);
  const ms = Date.now() - started;
  const file = join(dir, 'bench.clbackup');
  await download.saveAs(file);
  const { size } = await stat(file);
  await page.evaluate("location.hash = '#/leads'");
  return { ms, file, bytes: size };
}

/** Restores the file in a fresh browser: ms from the click to `leads` leads listed. */
async function restore(context: BrowserContext, appUrl: string, file: string, leads: number) {
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.getByRole('button', { name: 'Restore from backup' }).click();
  await page.getByLabel('Backup file').setInputFiles(file);
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  const started = Date.now();
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await waitForCount(page, leads, 600_000);
  const ms = Date.now() - started;
  await page.close();
  return ms;
}

export async function benchSweep(leads = 100_000): Promise<Record<string, number>> {
  const stack = await startStack();
  const profile = await mkdtemp(join(tmpdir(), 'converge-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...LAUNCH,
    viewport: { width: 1280, height: 900 },
  });
  try {
    // The builder's visits are 3 to 2 days old; every tenth lead is assigned.
    const built = await buildWorkspace({
      appUrl: stack.appUrl,
      relayUrl: stack.relayUrl,
      leads,
      assignEvery: 10,
    });
    const relayLog = async (): Promise<{ events: number; eventBytes: number }> =>
      (await (await fetch(new URL('/health', stack.relayUrl))).json()) as {
        events: number;
        eventBytes: number;
      };
    // The builder's snapshot says nothing of what it covers: the log is whole until a member's
    // browser stores one that does.
    const logBefore = await relayLog();
    const page = await context.newPage();
    await page.goto(built.inviteLink);
    await page.getByLabel('Your name').fill('Bench');
    await page.getByRole('button', { name: 'Join workspace' }).click();
    await waitForCount(page, leads, 1_800_000);
    for (let waited = 0; !(await page.evaluate<boolean>(FOLDED(built.workspace))); waited += 500) {
      if (waited > 600_000) throw new Error('the joined leads were never all written');
      await page.waitForTimeout(500);
    }
    await page.waitForTimeout(3_000);
    // The member's leader stores a snapshot covering the log once it has something new to
    // store — here one more visit — and the relay trims what it covers.
    const id = randomId();
    const view = pageView({ id, visitorId: randomId(), at: Date.now() });
    const sealed = await seal(built.intakePublicKey, JSON.stringify(view), built.workspace);
    await fetch(new URL(`/v1/intake/${built.workspace}`, stack.relayUrl), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ events: [{ id, sealed }] }),
    });
    let logAfter = await relayLog();
    for (let waited = 0; logAfter.events >= logBefore.events && waited < 60_000; waited += 500) {
      await page.waitForTimeout(500);
      logAfter = await relayLog();
    }
    const backup = await backUp(page, profile);
    const fresh = await mkdtemp(join(tmpdir(), 'converge-bench-'));
    const freshContext = await chromium.launchPersistentContext(fresh, LAUNCH);
    let restoreMs: number;
    try {
      // With the one more visit.
      restoreMs = await restore(freshContext, stack.appUrl, backup.file, leads + 1);
    } finally {
      await freshContext.close();
      await rm(fresh, { recursive: true, force: true });
    }
    const before = await page.evaluate<Stored>(STORED(built.workspace));

    // A week later every visit (made 3 to 2 days ago) is past the default 7-day retention.
    stack.setClockOffset(7 * DAY);
    await page.addInitScript({ content: OBSERVE });
    await page.reload();
    // The assigned tenth stay, and the one recent visitor.
    await waitForCount(page, leads / 10 + 1, 600_000);
    const sweepMs = await workerMeasureMs(page, 'team.worker', 'converge:sweep');
    const longest = await page.evaluate<number>(longestSince(0));
    await page.waitForTimeout(3_000);
    const after = await page.evaluate<Stored>(STORED(built.workspace));
    const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
    return {
      'relayLog.before.events': logBefore.events,
      'relayLog.before.mb': mb(logBefore.eventBytes),
      'relayLog.afterTrim.events': logAfter.events,
      'relayLog.afterTrim.mb': mb(logAfter.eventBytes),
      'backup.exportMs': backup.ms,
      'backup.fileMb': mb(backup.bytes),
      'backup.restoreMs': restoreMs,
      'sweep.leads': leads,
      'sweep.eligible': leads - leads / 10,
      'sweep.recentVisitors': 1,
      'sweep.ms': sweepMs,
      'sweep.longestTaskMs': Math.round(longest),
      'sweep.before.leads': before.leads,
      'sweep.after.leads': after.leads,
      'sweep.before.factMb': mb(before.factBytes),
      'sweep.after.factMb': mb(after.factBytes),
      'sweep.before.factSegments': before.factSegments,
      'sweep.after.factSegments': after.factSegments,
      'sweep.before.docKb': Math.round(before.docBytes / 1024),
      'sweep.after.docKb': Math.round(after.docBytes / 1024),
      'sweep.before.originUsageMb': mb(before.usage),
      'sweep.after.originUsageMb': mb(after.usage),
    };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await stack.stop();
  }
}
