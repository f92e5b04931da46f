/**
 * The widget settings' chain: what the team publishes proves the setting in force back to the
 * owner's key, reveals no more of the team than that, and the widget's verifier accepts it —
 * while a setting signed by an agent, written by the relay, replayed from another workspace or
 * missing a link proves nothing (the widget keeps its defaults).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  ledger,
  teamVerifier,
  nextAt,
  parseClaim,
  record,
  workspaceIdOf,
  type Claim,
  type Role,
  type Signer,
} from '../../src/core/ledger.ts';
import { person, type Person } from './ledger-people.ts';
import { verifyWidget, widgetChain } from '../../src/core/widget-chain.ts';
import { DEFAULT_WIDGET, openingOf, type WidgetConfig } from '../../src/core/widget-settings.ts';

const green: WidgetConfig = { ...DEFAULT_WIDGET, colour: '#16a34a', greeting: 'Hello from green' };

/** Ada founds the workspace; Bob and Cy join; Ada makes Bob an admin. */
async function team() {
  const [ada, bob, cy] = await Promise.all([person('ada'), person('bob'), person('cy')]);
  const workspace = await workspaceIdOf(ada.key);
  const doc = new Y.Doc();
  const as = (p: Person): Signer => ({ workspace, memberId: p.id, privateKey: p.privateKey });
  const member = (p: Person, name: string, role: Role): Claim => ({
    kind: 'member',
    member: p.id,
    name,
    role,
    key: p.key,
    at: nextAt(doc, Date.now()),
  });
  await record(doc, as(ada), member(ada, 'Ada', 'owner'));
  await record(doc, as(bob), member(bob, 'Bob', 'agent'));
  await record(doc, as(cy), member(cy, 'Cy', 'agent'));
  await record(doc, as(ada), member(bob, 'Bob', 'admin'));
  const setWidget = (p: Person, value: WidgetConfig) =>
    record(doc, as(p), { kind: 'setting', name: 'widget', value, at: nextAt(doc, Date.now()) });
  const accepted = async () =>
    (await teamVerifier(workspace).resolve(ledger(doc).entries())).accepted;
  return { ada, bob, cy, workspace, doc, as, member, setWidget, accepted };
}

describe('widget settings chain', () => {
  it('proves an admin’s setting back to the owner, with only the records it rests on', async () => {
    const t = await team();
    await t.setWidget(t.bob, green);
    const chain = widgetChain(await t.accepted());
    expect(chain).toBeDefined();
    expect(await verifyWidget(t.workspace, chain)).toEqual(green);
    // Cy, an agent nobody's authority rests on, is not published.
    const named = chain?.entries.map(([, e]) => e.claim) ?? [];
    expect(named.some((c) => c.includes('"Cy"'))).toBe(false);
    expect(named.some((c) => c.includes('"Ada"'))).toBe(true);
    // The chain also survives a trip through JSON (the relay stores text).
    expect(await verifyWidget(t.workspace, JSON.parse(JSON.stringify(chain)))).toEqual(green);
  });

  it('publishes nothing before any admin set the widget', async () => {
    const t = await team();
    expect(widgetChain(await t.accepted())).toBeUndefined();
  });

  it('proves the latest setting, and one signed before its signer was demoted', async () => {
    const t = await team();
    await t.setWidget(t.ada, { ...green, position: 'left' });
    await t.setWidget(t.bob, green);
    await record(t.doc, t.as(t.ada), t.member(t.bob, 'Bob', 'agent'));
    expect(await verifyWidget(t.workspace, widgetChain(await t.accepted()))).toEqual(green);
  });

  it('fills in what a setting signed before newer fields existed leaves out', async () => {
    const t = await team();
    const old = {
      colour: '#16a34a',
      position: 'left',
      greeting: 'Hi',
      namePrompt: 'Name?',
    } as unknown as WidgetConfig;
    await t.setWidget(t.ada, old);
    const config = await verifyWidget(t.workspace, widgetChain(await t.accepted()));
    expect(config).toEqual({ ...DEFAULT_WIDGET, ...old });
  });

  it('ignores an agent’s setting, a relay’s edit, another workspace’s chain and a broken chain', async () => {
    const t = await team();
    // An agent signs a setting: the ledger never accepts it, and a chain made of it proves nothing.
    await t.setWidget(t.cy, green);
    expect(widgetChain(await t.accepted())).toBeUndefined();
    const forged = { entries: [...ledger(t.doc).entries()] };
    expect(await verifyWidget(t.workspace, forged)).toBeUndefined();

    await t.setWidget(t.bob, green);
    const chain = widgetChain(await t.accepted());
    if (!chain) throw new Error('no chain');
    // The relay rewrites the colour inside the signed text.
    const edited = {
      entries: chain.entries.map(([id, e]) => [
        id,
        { ...e, claim: e.claim.replace('#16a34a', '#ff0000') },
      ]),
    };
    expect(await verifyWidget(t.workspace, edited)).toBeUndefined();
    // Without the owner's promotion of Bob, Bob is just an agent.
    const promotion = chain.entries.filter(([, e]) => {
      const claim = parseClaim(e.claim);
      return e.by === 'ada' && claim?.kind === 'member' && claim.member === 'bob';
    });
    expect(promotion).toHaveLength(1);
    const broken = { entries: chain.entries.filter((entry) => !promotion.includes(entry)) };
    expect(await verifyWidget(t.workspace, broken)).toBeUndefined();
    // Another workspace's genuine chain, or junk.
    const other = await team();
    expect(await verifyWidget(other.workspace, chain)).toBeUndefined();
    for (const junk of [undefined, null, 'x', { entries: 'x' }, { entries: [[1, 2]] }]) {
      expect(await verifyWidget(t.workspace, junk)).toBeUndefined();
    }
  });
});

describe('business hours', () => {
  const hours = {
    days: [1, 2, 3, 4, 5],
    opens: '09:00',
    closes: '17:00',
    timezone: 'Europe/Paris',
  };
  // 2026-12-02 is a Wednesday; Paris is UTC+1 in December.
  const at = (iso: string) => Date.parse(iso);

  it('is open within the hours on the team’s clock, whatever the visitor’s', () => {
    expect(openingOf(hours, at('2026-12-02T08:30:00Z'))).toEqual({ open: true });
    expect(openingOf(null, at('2026-12-06T03:00:00Z'))).toEqual({ open: true });
  });

  it('says when it opens next: later today, tomorrow, or after the weekend', () => {
    expect(openingOf(hours, at('2026-12-02T06:15:00Z'))).toEqual({
      open: false,
      opensAt: at('2026-12-02T08:00:00Z'),
    });
    expect(openingOf(hours, at('2026-12-02T16:00:00Z'))).toEqual({
      open: false,
      opensAt: at('2026-12-03T08:00:00Z'),
    });
    expect(openingOf(hours, at('2026-12-05T12:00:00Z'))).toEqual({
      open: false,
      opensAt: at('2026-12-07T08:00:00Z'),
    });
    expect(openingOf({ ...hours, days: [] }, at('2026-12-05T12:00:00Z'))).toEqual({
      open: false,
      opensAt: undefined,
    });
  });
});
