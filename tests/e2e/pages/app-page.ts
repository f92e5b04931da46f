/** Page model of the agent app, in the words a user would use. */
import { expect, type Browser, type Locator, type Page } from '@playwright/test';

export class AppPage {
  constructor(readonly page: Page) {}

  async open(appUrl: string): Promise<void> {
    await this.page.goto(appUrl);
  }

  async createWorkspace(name = 'Acme', memberName = 'Ada'): Promise<void> {
    await this.page.getByLabel('Workspace name').fill(name);
    await this.page.getByLabel('Your name').fill(memberName);
    await this.page.getByRole('button', { name: 'Create workspace' }).click();
    await expect(this.page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible();
  }

  async openLeads(): Promise<void> {
    await this.page.getByRole('link', { name: 'Leads', exact: true }).click();
    await expect(this.page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible();
  }

  async openWidgetSettings(): Promise<void> {
    await this.page.getByRole('link', { name: 'Settings', exact: true }).click();
    await this.page.getByRole('link', { name: 'Widget', exact: true }).click();
  }

  /** The demo-site link from Settings → Widget (the widget installed for this workspace). */
  async demoSiteLink(): Promise<string> {
    await this.openWidgetSettings();
    const href = await this.page.getByRole('link', { name: 'Open demo site' }).getAttribute('href');
    if (!href) throw new Error('no demo link');
    await this.openLeads();
    return href;
  }

  async openSettings(
    section: 'Widget' | 'Replies' | 'Visitors' | 'Scoring' | 'Team' | 'Backup' | 'Diagnostics',
  ): Promise<void> {
    await this.page.getByRole('link', { name: 'Settings', exact: true }).click();
    await this.page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: section, exact: true })
      .click();
  }

  /** The invite link from Settings → Team. */
  async inviteLink(): Promise<string> {
    await this.openSettings('Team');
    const link = await this.page.getByLabel('Invite link').inputValue();
    await this.openLeads();
    return link;
  }

  /** Opens an invite link and joins under `memberName`; resolves once the workspace is here. */
  async join(link: string, memberName: string): Promise<void> {
    await this.page.goto(link);
    await this.page.getByLabel('Your name').fill(memberName);
    await this.page.getByRole('button', { name: 'Join workspace' }).click();
    await expect(this.page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible({
      timeout: 15_000,
    });
  }

  /** The Members list in Settings → Team. */
  get members(): Locator {
    return this.page.getByRole('list', { name: 'Members' }).getByRole('listitem');
  }

  get leadRows(): Locator {
    return this.page.getByRole('list', { name: 'Lead list' }).getByRole('listitem');
  }

  scoreOf(row: Locator): Locator {
    return row.getByLabel(/^Score \d+/);
  }
}

/** Ada creates a workspace in a browser of her own. */
export async function newOwner(
  browser: Browser,
  appUrl: string,
  workspace = 'Acme',
): Promise<AppPage> {
  const owner = new AppPage(await (await browser.newContext()).newPage());
  await owner.open(appUrl);
  await owner.createWorkspace(workspace, 'Ada');
  return owner;
}

/** Ada creates "Acme" in her browser; Grace joins it from the invite link in hers. */
export async function startTeam(
  browser: Browser,
  appUrl: string,
): Promise<{ owner: AppPage; mate: AppPage }> {
  const owner = await newOwner(browser, appUrl);
  const link = await owner.inviteLink();
  const mate = new AppPage(await (await browser.newContext()).newPage());
  await mate.join(link, 'Grace');
  return { owner, mate };
}
