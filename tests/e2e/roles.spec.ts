/**
 * Roles and admin-only settings between two teammates in separate browser contexts: changes
 * sync both ways over WebRTC, the controls follow the role, and a modified agent client that
 * signs admin changes with its own key (or pretends to be the owner) convinces no peer.
 */
import type { Browser, Page } from '@playwright/test';
import * as Y from 'yjs';
import { toBase64Url } from '../../src/core/bytes.ts';
import {
  entryId,
  ledger,
  publicKeyOf,
  signingInput,
  type Claim,
  type Entry,
} from '../../src/core/ledger.ts';
import { DEFAULT_RULES } from '../../src/core/scoring.ts';
import { generateIntakeKeyPair } from '../../src/core/seal.ts';
import { test, expect, visitorContext } from './fixtures.ts';
import { startTeam } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

async function ownerAndAgent(browser: Browser, appUrl: string) {
  const { owner, mate } = await startTeam(browser, appUrl);
  await owner.openSettings('Team');
  await expect(owner.page.getByRole('combobox', { name: 'Role of Grace' })).toHaveValue('agent');
  return { owner, mate };
}

test('roles and admin settings sync both ways, and the controls follow the role', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await ownerAndAgent(browser, stack.appUrl);

  // An agent sees the setting but has no control for it.
  await mate.openSettings('Visitors');
  await expect(mate.page.getByTestId('retention')).toHaveText('7 days');
  await expect(mate.page.getByRole('combobox', { name: 'Retention' })).toHaveCount(0);

  await owner.openSettings('Visitors');
  await owner.page.getByRole('combobox', { name: 'Retention' }).selectOption('14');
  await expect(mate.page.getByTestId('retention')).toHaveText('14 days');

  // The chat widget's look is an admin setting too.
  await owner.openSettings('Widget');
  await owner.page.getByLabel('Greeting').fill('Hello from Acme!');
  await owner.page.getByLabel('Position').selectOption('left');
  await owner.page.getByRole('button', { name: 'Save widget settings' }).click();
  await mate.openSettings('Widget');
  await expect(mate.page.getByTestId('widget-config')).toContainText('Hello from Acme!');
  await expect(mate.page.getByTestId('widget-config')).toContainText('Bottom left');
  await expect(mate.page.getByRole('button', { name: 'Save widget settings' })).toHaveCount(0);

  // Promoted to admin, Grace gets the controls and her change reaches Ada.
  await owner.openSettings('Team');
  await owner.page.getByRole('combobox', { name: 'Role of Grace' }).selectOption('admin');
  await mate.openSettings('Visitors');
  const retention = mate.page.getByRole('combobox', { name: 'Retention' });
  await expect(retention).toBeVisible();
  await retention.selectOption('30');
  await owner.openSettings('Visitors');
  await expect(owner.page.getByRole('combobox', { name: 'Retention' })).toHaveValue('30');

  // A member's own name is theirs to change.
  await mate.openSettings('Team');
  await mate.page.getByLabel('Your name').fill('Grace Hopper');
  await mate.page.getByRole('button', { name: 'Save name' }).click();
  await owner.openSettings('Team');
  await expect(owner.members.filter({ hasText: 'Grace Hopper' })).toHaveCount(1);
  await owner.page.screenshot({ path: 'test-results/screens/team-roles.png' });
});

test('new scoring rules from an admin re-score leads in every teammate’s browser', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await ownerAndAgent(browser, stack.appUrl);
  const link = await owner.demoSiteLink();
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(link);
  await expect(site.getByRole('heading', { name: 'Know your numbers' })).toBeVisible();
  // Paid ad 25 + LinkedIn 10 + UTMs 10 + timezone/country 5.
  await expect(owner.page.getByLabel('Score 50, Warm')).toBeVisible({ timeout: 5_000 });
  await expect(mate.page.getByLabel('Score 50, Warm')).toBeVisible({ timeout: 5_000 });

  await mate.openSettings('Scoring');
  await expect(mate.page.getByRole('row', { name: 'Came from paid ads' })).toContainText('25');
  await expect(mate.page.getByRole('button', { name: 'Save scoring rules' })).toHaveCount(0);

  await owner.openSettings('Scoring');
  await owner.page.getByLabel('Came from paid ads').fill('40');
  await owner.page.getByLabel('High-intent paths').fill('pricing, demo, book, signup');
  await owner.page.getByRole('button', { name: 'Save scoring rules' }).click();
  await expect(owner.page.getByText('Saved — re-scoring every lead')).toBeVisible();
  await owner.page.screenshot({ path: 'test-results/screens/scoring.png' });

  await expect(mate.page.getByRole('row', { name: 'Came from paid ads' })).toContainText('40');
  await expect(mate.page.getByTestId('high-intent-paths')).toHaveText(
    'pricing, demo, book, signup',
  );
  await owner.openLeads();
  await mate.openLeads();
  await expect(owner.page.getByLabel('Score 65, Warm')).toBeVisible();
  await expect(mate.page.getByLabel('Score 65, Warm')).toBeVisible();
  await visitor.close();
});

/** Which workspace and member a teammate's browser holds (read from its own storage). */
interface Held {
  workspace: string;
  memberId: string;
}

async function heldBy(page: Page): Promise<Held> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('converge');
      req.onsuccess = () => {
        resolve(req.result);
      };
      req.onerror = () => {
        reject(req.error ?? new Error('open failed'));
      };
    });
    const rows = await new Promise<{ id: string; memberId: string }[]>((resolve) => {
      const req = db.transaction('workspaces').objectStore('workspaces').getAll();
      req.onsuccess = () => {
        resolve(req.result as { id: string; memberId: string }[]);
      };
    });
    db.close();
    const row = rows[0];
    if (!row) throw new Error('no workspace in this browser');
    return { workspace: row.id, memberId: row.memberId };
  });
}

/** Signs bytes with the agent's own (non-extractable) key, as a modified client could. */
async function signAsAgent(page: Page, bytes: Uint8Array): Promise<string> {
  const sig = await page.evaluate(
    async (input: number[]) => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const req = indexedDB.open('converge');
        req.onsuccess = () => {
          resolve(req.result);
        };
      });
      const rows = await new Promise<{ signingKey: CryptoKeyPair }[]>((resolve) => {
        const req = db.transaction('workspaces').objectStore('workspaces').getAll();
        req.onsuccess = () => {
          resolve(req.result as { signingKey: CryptoKeyPair }[]);
        };
      });
      db.close();
      const key = rows[0]?.signingKey.privateKey;
      if (!key) throw new Error('no key');
      const signed = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        key,
        new Uint8Array(input),
      );
      return [...new Uint8Array(signed)];
    },
    [...bytes],
  );
  return toBase64Url(new Uint8Array(sig));
}

/** Appends a doc update to the agent's stored team doc, as a modified client could. */
async function storeUpdate(page: Page, workspace: string, update: Uint8Array): Promise<void> {
  await page.evaluate(
    async ({ name, bytes }) => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => {
          resolve(req.result);
        };
      });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('updates', 'readwrite');
        tx.objectStore('updates').add({ update: new Uint8Array(bytes) });
        tx.oncomplete = () => {
          resolve();
        };
        tx.onerror = () => {
          reject(tx.error ?? new Error('write failed'));
        };
      });
      db.close();
    },
    { name: `converge-ws-${workspace}`, bytes: [...update] },
  );
}

test('a forged admin change from an agent’s client is ignored by every peer', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await ownerAndAgent(browser, stack.appUrl);
  const held = await heldBy(mate.page);
  const mallory = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const owners = await heldBy(owner.page);

  const at = Date.now() + 60_000;
  const hijack = await generateIntakeKeyPair();
  const malloryKey = publicKeyOf(await crypto.subtle.exportKey('jwk', mallory.publicKey));
  /** Grace, the agent, made an admin (with a key of her own making). */
  const graceAsAdmin = (when: number): Claim => ({
    kind: 'member',
    member: held.memberId,
    name: 'Grace',
    role: 'admin',
    key: malloryKey,
    at: when,
  });
  const forgeries: { by: string; claim: Claim; sign: (bytes: Uint8Array) => Promise<string> }[] = [
    // The agent signs a setting with its own key: valid signature, no authority.
    {
      by: held.memberId,
      claim: { kind: 'setting', name: 'retentionDays', value: 1, at },
      sign: (b) => signAsAgent(mate.page, b),
    },
    // The agent rewrites the scoring rules with its own key.
    {
      by: held.memberId,
      claim: {
        kind: 'setting',
        name: 'scoringRules',
        value: { highIntentPaths: ['blog'], points: { ...DEFAULT_RULES.points, paidAds: 100 } },
        at: at + 4,
      },
      sign: (b) => signAsAgent(mate.page, b),
    },
    // The agent swaps the workspace's intake key for its own (and renames the workspace).
    {
      by: held.memberId,
      claim: {
        kind: 'setting',
        name: 'workspace',
        value: {
          name: 'Hijacked',
          intakePublicKey: hijack.publicKey,
          intakePrivateKey: hijack.privateKey,
          createdAt: at,
        },
        at: at + 5,
      },
      sign: (b) => signAsAgent(mate.page, b),
    },
    // The agent promotes itself.
    {
      by: held.memberId,
      claim: graceAsAdmin(at + 1),
      sign: (b) => signAsAgent(mate.page, b),
    },
    // The agent claims to be the owner, signing with a key of its own.
    {
      by: owners.memberId,
      claim: { kind: 'setting', name: 'retentionDays', value: 30, at: at + 2 },
      sign: async (b) =>
        toBase64Url(
          new Uint8Array(
            await crypto.subtle.sign(
              { name: 'ECDSA', hash: 'SHA-256' },
              mallory.privateKey,
              new Uint8Array(b),
            ),
          ),
        ),
    },
    // The agent, signing as the owner with its own key, promotes itself.
    {
      by: owners.memberId,
      claim: graceAsAdmin(at + 3),
      sign: (b) => signAsAgent(mate.page, b),
    },
  ];
  const forged = new Y.Doc();
  for (const f of forgeries) {
    const claim = JSON.stringify(f.claim);
    const entry: Entry = {
      by: f.by,
      claim,
      sig: await f.sign(signingInput(held.workspace, f.by, claim)),
    };
    ledger(forged).set(await entryId(entry), entry);
  }
  await storeUpdate(mate.page, held.workspace, Y.encodeStateAsUpdate(forged));
  await mate.page.reload();
  await expect(mate.page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible();

  // The forged entries reached the owner over WebRTC — and were all ignored there…
  await owner.openSettings('Diagnostics');
  await expect(owner.page.getByTestId('rejected')).toHaveText(String(forgeries.length), {
    timeout: 20_000,
  });
  await owner.openSettings('Visitors');
  await expect(owner.page.getByRole('combobox', { name: 'Retention' })).toHaveValue('7');
  await owner.openSettings('Team');
  await expect(owner.page.getByRole('combobox', { name: 'Role of Grace' })).toHaveValue('agent');
  await expect(owner.page.getByText('Hijacked')).toHaveCount(0);

  // …and in the agent's own app too: no admin controls appeared.
  await mate.openSettings('Diagnostics');
  await expect(mate.page.getByTestId('rejected')).toHaveText(String(forgeries.length));
  await mate.openSettings('Visitors');
  await expect(mate.page.getByTestId('retention')).toHaveText('7 days');
  await expect(mate.page.getByRole('combobox', { name: 'Retention' })).toHaveCount(0);
  await mate.openSettings('Team');
  await expect(mate.members.filter({ hasText: 'Grace' }).getByTitle('Role')).toHaveText('Agent');
  await expect(mate.page.getByText('Hijacked')).toHaveCount(0);
});
