/**
 * A team edit made in one browser → visible in a teammate's browser (separate contexts, so
 * only WebRTC carries it). The edit is a signed admin setting (the retention), so each sample
 * includes signing, the WebRTC hop, verifying the ledger and the re-render. Both pages run in
 * one browser process and share its clock: the owner's page notes the time just before the
 * change, the teammate's page the time the new value appears.
 */
import { chromium } from 'playwright';
import { startStack } from '../../scripts/stack.ts';
import { LAUNCH, percentile } from './shared.ts';

/** Page scripts are source text: tsx would wrap named helpers in one pages lack. */
const WATCH_RETENTION = `(() => {
  window.seenAt = {};
  new MutationObserver(() => {
    const text = document.querySelector('[data-testid="retention"]')?.textContent ?? '';
    if (!(text in window.seenAt)) window.seenAt[text] = performance.timeOrigin + performance.now();
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

const change = (value: string): string => `(() => {
  const select = document.querySelector('select[aria-label="Retention"]');
  const at = performance.timeOrigin + performance.now();
  select.value = '${value}';
  select.dispatchEvent(new Event('change', { bubbles: true }));
  return at;
})()`;

export async function benchTeamEdit(samples = 30): Promise<Record<string, number>> {
  const stack = await startStack();
  const browser = await chromium.launch(LAUNCH);
  try {
    const owner = await (await browser.newContext()).newPage();
    await owner.goto(stack.appUrl);
    await owner.getByLabel('Workspace name').fill('Bench');
    await owner.getByLabel('Your name').fill('Ada');
    await owner.getByRole('button', { name: 'Create workspace' }).click();
    await owner.getByRole('link', { name: 'Settings', exact: true }).click();
    await owner.getByRole('link', { name: 'Team', exact: true }).click();
    const link = await owner.getByLabel('Invite link').inputValue();

    const mate = await (await browser.newContext()).newPage();
    await mate.goto(link);
    await mate.getByLabel('Your name').fill('Grace');
    await mate.getByRole('button', { name: 'Join workspace' }).click();
    await mate.getByRole('heading', { name: 'Leads', exact: true }).waitFor();
    await owner.getByRole('listitem', { name: 'Grace' }).getByText('Online').waitFor();
    await mate.getByRole('link', { name: 'Settings', exact: true }).click();
    await mate.getByRole('link', { name: 'Visitors', exact: true }).click();
    await owner.getByRole('link', { name: 'Visitors', exact: true }).click();
    await owner.getByRole('combobox', { name: 'Retention' }).waitFor();
    await mate.getByTestId('retention').waitFor();
    await mate.evaluate(WATCH_RETENTION);

    const latencies: number[] = [];
    const values = ['14', '30', '1', '7'];
    for (let i = 0; i < samples; i++) {
      const value = values[i % values.length] ?? '7';
      const label = value === '1' ? '1 day' : `${value} days`;
      await mate.evaluate('window.seenAt = {}');
      const sentAt = await owner.evaluate<number>(change(value));
      await mate.getByTestId('retention').filter({ hasText: label }).waitFor({ timeout: 10_000 });
      const seenAt = await mate.evaluate<number>(`window.seenAt[${JSON.stringify(label)}]`);
      latencies.push(seenAt - sentAt);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      'team.edit.samples': samples,
      'team.edit.p50Ms': Math.round(percentile(sorted, 50)),
      'team.edit.p95Ms': Math.round(percentile(sorted, 95)),
      'team.edit.maxMs': Math.round(sorted[sorted.length - 1] ?? NaN),
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}
