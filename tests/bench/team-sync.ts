/**
 * A new member gets a 50,000-lead workspace (SPEC §13: ≤ 10 s). The workspace is built the way
 * an owner's app leaves it (registered, encrypted snapshot on the relay) and the owner is gone;
 * the clock runs from clicking "Join workspace" to (a) the workspace open — the doc loaded and
 * decrypted, the Leads view showing — and (b) every lead projected into the list's table.
 */
import { chromium } from 'playwright';
import { startStack } from '../../scripts/stack.ts';
import { buildWorkspace } from '../e2e/workspace-builder.ts';
import { LAUNCH } from './shared.ts';

export async function benchTeamSync(leads = 50_000): Promise<Record<string, number>> {
  const stack = await startStack();
  const browser = await chromium.launch(LAUNCH);
  try {
    const built = await buildWorkspace({ appUrl: stack.appUrl, relayUrl: stack.relayUrl, leads });
    const page = await browser.newPage();
    await page.goto(built.inviteLink);
    await page.getByLabel('Your name').fill('Bench');
    const started = Date.now();
    await page.getByRole('button', { name: 'Join workspace' }).click();
    await page.getByRole('heading', { name: 'Leads', exact: true }).waitFor({ timeout: 60_000 });
    const opened = Date.now() - started;
    await page.getByLabel(`${leads.toLocaleString('en')} leads`).waitFor({ timeout: 300_000 });
    const complete = Date.now() - started;
    return {
      'team.join.leads': leads,
      'team.join.docBytes': built.docBytes,
      'team.join.snapshotBytes': built.snapshotBytes,
      'team.join.workspaceOpenMs': opened,
      'team.join.allLeadsListedMs': complete,
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}
