import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  adminEntriesOf,
  entryId,
  ledger,
  teamVerifier,
  nextAt,
  record,
  signClaim,
  workspaceIdOf,
  type Claim,
  type MemberClaim,
  type RemovalClaim,
  type Role,
  type Settings,
  type Signer,
} from '../../src/core/ledger.ts';
import { person, type Person } from './ledger-people.ts';
import { generateIntakeKeyPair } from '../../src/core/seal.ts';

/** A workspace founded by Ada, with Grace joined as an agent. */
async function team() {
  const ada = await person('ada');
  const grace = await person('grace');
  const workspace = await workspaceIdOf(ada.key);
  const doc = new Y.Doc();
  const as = (p: Person): Signer => ({ workspace, memberId: p.id, privateKey: p.privateKey });
  const memberClaim = (p: Person, name: string, role: Role): Claim => ({
    kind: 'member',
    member: p.id,
    name,
    role,
    key: p.key,
    at: nextAt(doc, Date.now()),
  });
  await record(doc, as(ada), memberClaim(ada, 'Ada', 'owner'));
  await record(doc, as(grace), memberClaim(grace, 'Grace', 'agent'));
  const setting = <K extends keyof Settings>(name: K, value: Settings[K]): Claim => ({
    kind: 'setting',
    name,
    value,
    at: nextAt(doc, Date.now()),
  });
  const verifier = teamVerifier(workspace);
  const resolve = () => verifier.resolve(ledger(doc).entries());
  return { ada, grace, workspace, doc, as, memberClaim, setting, resolve };
}

const roles = (members: { name: string; role: Role }[]) =>
  Object.fromEntries(members.map((m) => [m.name, m.role]));

describe('team ledger', () => {
  it('founds the team on the owner key the workspace id names, and lets members join as agents', async () => {
    const t = await team();
    const result = await t.resolve();
    expect(roles(result.members)).toEqual({ Ada: 'owner', Grace: 'agent' });
    expect(result.rejected).toBe(0);
    expect(result.settings.retentionDays).toBe(7);
    expect(result.settings.widget.position).toBe('right');
  });

  it('ignores an "owner" whose key is not the one the workspace id names', async () => {
    const t = await team();
    const mallory = await person('mallory');
    await record(t.doc, t.as(mallory), t.memberClaim(mallory, 'Mallory', 'owner'));
    const result = await t.resolve();
    expect(roles(result.members)).toEqual({ Ada: 'owner', Grace: 'agent' });
    expect(result.rejected).toBe(1);
  });

  it('lets nobody join as an admin by their own word', async () => {
    const t = await team();
    const mallory = await person('mallory');
    await record(t.doc, t.as(mallory), t.memberClaim(mallory, 'Mallory', 'admin'));
    expect(roles((await t.resolve()).members)).toEqual({ Ada: 'owner', Grace: 'agent' });
  });

  it('lets the owner and admins change roles and settings, and not agents', async () => {
    const t = await team();
    const sam = await person('sam');
    await record(t.doc, t.as(sam), t.memberClaim(sam, 'Sam', 'agent'));
    // An agent can neither promote nor change a setting.
    await record(t.doc, t.as(t.grace), t.memberClaim(t.grace, 'Grace', 'admin'));
    await record(t.doc, t.as(t.grace), t.memberClaim(sam, 'Sam', 'admin'));
    await record(t.doc, t.as(t.grace), t.setting('retentionDays', 30));
    let result = await t.resolve();
    expect(roles(result.members)).toEqual({ Ada: 'owner', Grace: 'agent', Sam: 'agent' });
    expect(result.settings.retentionDays).toBe(7);
    expect(result.rejected).toBe(3);

    // The owner promotes Grace; as an admin she may promote Sam and change settings.
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Grace', 'admin'));
    await record(t.doc, t.as(t.grace), t.memberClaim(sam, 'Sam', 'admin'));
    await record(t.doc, t.as(t.grace), t.setting('retentionDays', 14));
    result = await t.resolve();
    expect(roles(result.members)).toEqual({ Ada: 'owner', Grace: 'admin', Sam: 'admin' });
    expect(result.settings.retentionDays).toBe(14);

    // Demoted, Grace's later settings no longer count.
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Grace', 'agent'));
    await record(t.doc, t.as(t.grace), t.setting('retentionDays', 1));
    result = await t.resolve();
    expect(result.settings.retentionDays).toBe(14);
    expect(roles(result.members).Grace).toBe('agent');
  });

  it('takes the workspace’s own data from its owner only, with a matching key pair', async () => {
    const t = await team();
    const intake = await generateIntakeKeyPair();
    const other = await generateIntakeKeyPair();
    const info = {
      name: 'Acme',
      intakePublicKey: intake.publicKey,
      intakePrivateKey: intake.privateKey,
      createdAt: 1,
    };
    const setWorkspace = (by: Person, value: unknown) =>
      record(t.doc, t.as(by), t.setting('workspace', value as typeof info));
    // Even an admin cannot put in an intake key of their own.
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Grace', 'admin'));
    await setWorkspace(t.grace, {
      ...info,
      intakePublicKey: other.publicKey,
      intakePrivateKey: other.privateKey,
    });
    let result = await t.resolve();
    expect(result.settings.workspace).toBeNull();
    expect(result.rejected).toBe(1);

    await setWorkspace(t.ada, info);
    result = await t.resolve();
    expect(result.settings.workspace).toEqual(info);

    // Malformed, even from the owner: a private key that is not the public key's other half,
    // an empty name, nothing at all.
    await setWorkspace(t.ada, { ...info, intakePrivateKey: other.privateKey });
    await setWorkspace(t.ada, { ...info, name: ' ' });
    await setWorkspace(t.ada, null);
    result = await t.resolve();
    expect(result.settings.workspace).toEqual(info);
    expect(result.rejected).toBe(4);
  });

  it('never makes or unmakes an owner through a role change', async () => {
    const t = await team();
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Grace', 'admin'));
    await record(t.doc, t.as(t.grace), t.memberClaim(t.ada, 'Ada', 'agent'));
    await record(t.doc, t.as(t.grace), t.memberClaim(t.grace, 'Grace', 'owner'));
    const result = await t.resolve();
    expect(roles(result.members)).toEqual({ Ada: 'owner', Grace: 'admin' });
    expect(result.rejected).toBe(2);
  });

  it('keeps a member’s own name theirs: renames by others change only the role', async () => {
    const t = await team();
    await record(t.doc, t.as(t.grace), t.memberClaim(t.grace, 'Grace H.', 'agent'));
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Someone else', 'admin'));
    const result = await t.resolve();
    expect(result.members.map((m) => [m.name, m.role])).toEqual([
      ['Ada', 'owner'],
      ['Grace H.', 'admin'],
    ]);
  });

  it('keeps a member’s encryption key theirs: only they publish or replace it', async () => {
    const t = await team();
    const box = (c: string) => c.repeat(87);
    const boxed = (name: string, role: Role, key: string): MemberClaim => ({
      ...(t.memberClaim(t.grace, name, role) as MemberClaim),
      box: key,
    });
    await record(t.doc, t.as(t.grace), boxed('Grace', 'agent', box('g')));
    // Ada promotes Grace, naming another key as hers: the role changes, the key does not.
    await record(t.doc, t.as(t.ada), boxed('Grace', 'admin', box('m')));
    let grace = (await t.resolve()).members.find((m) => m.id === 'grace');
    expect([grace?.role, grace?.box]).toEqual(['admin', box('g')]);
    // A record of hers without one (an older browser) keeps the key she published.
    await record(t.doc, t.as(t.grace), t.memberClaim(t.grace, 'Grace H.', 'admin'));
    grace = (await t.resolve()).members.find((m) => m.id === 'grace');
    expect([grace?.name, grace?.box]).toEqual(['Grace H.', box('g')]);
    // She may replace it herself; a malformed key is no claim at all.
    await record(t.doc, t.as(t.grace), boxed('Grace H.', 'admin', box('h')));
    const before = (await t.resolve()).rejected;
    await record(t.doc, t.as(t.grace), boxed('Grace H.', 'admin', '<script>'));
    const result = await t.resolve();
    expect(result.members.find((m) => m.id === 'grace')?.box).toBe(box('h'));
    expect(result.rejected).toBe(before + 1);
  });

  it('removes a member for good: only an owner or admin, never the owner, one secret after another', async () => {
    const t = await team();
    const bob = await person('bob');
    await record(t.doc, t.as(bob), {
      kind: 'member',
      member: bob.id,
      name: 'Bob',
      role: 'agent',
      key: bob.key,
      at: nextAt(t.doc, Date.now()),
    });
    const removal = (member: string, epoch: number): RemovalClaim => ({
      kind: 'removal',
      member,
      epoch,
      tokenHash: 'a'.repeat(64),
      secrets: { ada: 'b1.x.y' },
      at: nextAt(t.doc, Date.now()),
    });
    // An agent cannot remove anyone; nobody removes the owner; the epoch must be the next one.
    await record(t.doc, t.as(t.grace), removal('bob', 2));
    await record(t.doc, t.as(t.ada), removal('ada', 2));
    await record(t.doc, t.as(t.ada), removal('bob', 3));
    let result = await t.resolve();
    expect(result.members.map((m) => m.id)).toEqual(['ada', 'grace', 'bob']);
    expect([result.epoch, result.rejected]).toEqual([1, 3]);

    await record(t.doc, t.as(t.ada), removal('bob', 2));
    // A second removal made for the same secret (another admin, at the same time) is not one.
    await record(t.doc, t.as(t.ada), removal('grace', 2));
    result = await t.resolve();
    expect(result.members.map((m) => m.id)).toEqual(['ada', 'grace']);
    expect(result.epoch).toBe(2);
    expect(result.removal?.member).toBe('bob');

    // Bob signs nothing that counts any more, and cannot join again under his id.
    await record(t.doc, t.as(bob), {
      kind: 'member',
      member: bob.id,
      name: 'Bob again',
      role: 'agent',
      key: bob.key,
      at: nextAt(t.doc, Date.now()),
    });
    const after = await t.resolve();
    expect(after.members.map((m) => m.id)).toEqual(['ada', 'grace']);
    expect(after.rejected).toBe(result.rejected + 1);
  });

  it('a demoted admin cannot back-date an admin entry before the demotion', async () => {
    const t = await team();
    const sam = await person('sam');
    await record(t.doc, t.as(sam), { ...(t.memberClaim(sam, 'Sam', 'agent') as MemberClaim) });
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Grace', 'admin'));
    await record(t.doc, t.as(t.grace), t.setting('retentionDays', 14));
    const before = await t.resolve();
    expect(before.settings.retentionDays).toBe(14);
    // Only the owner takes an admin's rights away; the demotion names what of hers stands.
    const demotion = {
      ...(t.memberClaim(t.grace, 'Grace', 'agent') as MemberClaim),
      keep: adminEntriesOf(before.accepted, 'grace'),
    };
    await record(t.doc, t.as(t.ada), demotion);
    // Afterwards she signs changes dated before her demotion, as if she were still an admin.
    const past = demotion.at - 1;
    await record(t.doc, t.as(t.grace), { ...t.setting('retentionDays', 30), at: past });
    await record(t.doc, t.as(t.grace), { ...t.memberClaim(sam, 'Sam', 'admin'), at: past });
    const after = await t.resolve();
    expect(roles(after.members)).toEqual({ Ada: 'owner', Sam: 'agent', Grace: 'agent' });
    // What she did as an admin stands; what she back-dated does not.
    expect(after.settings.retentionDays).toBe(14);
    expect(after.rejected).toBe(2);
  });

  it('lets only the owner take an admin’s rights away', async () => {
    const t = await team();
    const sam = await person('sam');
    await record(t.doc, t.as(sam), { ...(t.memberClaim(sam, 'Sam', 'agent') as MemberClaim) });
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Grace', 'admin'));
    await record(t.doc, t.as(t.ada), t.memberClaim(sam, 'Sam', 'admin'));
    // Grace tries to demote Sam, and to remove him: neither counts.
    await record(t.doc, t.as(t.grace), t.memberClaim(sam, 'Sam', 'agent'));
    await record(t.doc, t.as(t.grace), {
      kind: 'removal',
      member: sam.id,
      epoch: 2,
      tokenHash: 'a'.repeat(64),
      secrets: {},
      at: nextAt(t.doc, Date.now()),
    });
    let result = await t.resolve();
    expect(roles(result.members)).toEqual({ Ada: 'owner', Grace: 'admin', Sam: 'admin' });
    expect(result.rejected).toBe(2);
    // An admin still promotes, and the owner demotes.
    await record(t.doc, t.as(t.ada), t.memberClaim(sam, 'Sam', 'agent'));
    result = await t.resolve();
    expect(roles(result.members)).toEqual({ Ada: 'owner', Grace: 'admin', Sam: 'agent' });
  });

  it('rejects forged signatures, entries under another id, replays and malformed claims', async () => {
    const t = await team();
    const mallory = await person('mallory');
    const claim: Claim = {
      kind: 'setting',
      name: 'retentionDays',
      value: 30,
      at: nextAt(t.doc, Date.now()),
    };
    // Signed by Mallory's key, but claiming to be Ada.
    const forged = await signClaim(
      { workspace: t.workspace, memberId: t.ada.id, privateKey: mallory.privateKey },
      claim,
    );
    ledger(t.doc).set(await entryId(forged), forged);
    // Ada's genuine entry, but for another workspace.
    const replay = await signClaim(
      { workspace: 'elsewhere', memberId: t.ada.id, privateKey: t.ada.privateKey },
      claim,
    );
    ledger(t.doc).set(await entryId(replay), replay);
    // Ada's genuine entry stored under an id that is not its hash (a rewrite in place).
    const genuine = await signClaim(t.as(t.ada), { ...claim, value: 14 });
    ledger(t.doc).set('not-its-hash', genuine);
    // Nonsense.
    ledger(t.doc).set('junk', { by: 'ada', claim: '{"kind":"setting"', sig: '' });
    const bad = await signClaim(t.as(t.ada), { ...claim, value: 3 } as unknown as Claim);
    ledger(t.doc).set(await entryId(bad), bad);

    // Settings whose values are out of bounds, even from the owner.
    for (const value of [
      { colour: 'red', position: 'right', greeting: '', namePrompt: '' },
      { colour: '#ffffff', position: 'top', greeting: '', namePrompt: '' },
      { colour: '#ffffff', position: 'left', greeting: 'x'.repeat(201), namePrompt: '' },
      { colour: '#ffffff', position: 'left', greeting: '', namePrompt: '', script: 'alert(1)' },
    ]) {
      const entry = await signClaim(t.as(t.ada), {
        kind: 'setting',
        name: 'widget',
        value,
        at: nextAt(t.doc, Date.now()),
      } as unknown as Claim);
      ledger(t.doc).set(await entryId(entry), entry);
    }
    const rules = await signClaim(t.as(t.ada), {
      kind: 'setting',
      name: 'scoringRules',
      value: { highIntentPaths: ['/Pricing/'], points: {} },
      at: nextAt(t.doc, Date.now()),
    } as unknown as Claim);
    ledger(t.doc).set(await entryId(rules), rules);

    const result = await t.resolve();
    expect(result.settings.retentionDays).toBe(7);
    expect(result.settings.widget.position).toBe('right');
    expect(result.settings.scoringRules.highIntentPaths).toEqual(['pricing', 'demo', 'book']);
    expect(result.rejected).toBe(10);
  });

  it('takes only the settings there are: no name reaches into the settings object', async () => {
    const t = await team();
    const names = ['__proto__', 'toString', 'valueOf', 'constructor', 'hasOwnProperty'];
    for (const name of names) {
      // Unsigned junk that anyone with the team secret could write…
      const text = JSON.stringify({ kind: 'setting', name, value: 14, at: 1 });
      ledger(t.doc).set(`junk-${name}`, { by: 'ada', claim: text, sig: '' });
      // …and the same claims signed by the owner.
      const signed = await signClaim(t.as(t.ada), {
        kind: 'setting',
        name,
        value: 14,
        at: nextAt(t.doc, Date.now()),
      } as unknown as Claim);
      ledger(t.doc).set(await entryId(signed), signed);
    }
    expect(nextAt(t.doc, Date.now())).toBeGreaterThan(0);
    const result = await t.resolve();
    expect(result.rejected).toBe(2 * names.length);
    expect(Object.keys(result.settings).sort()).toEqual(
      ['retentionDays', 'scoringRules', 'widget', 'savedReplies', 'workspace'].sort(),
    );
    expect(Object.getPrototypeOf(result.settings)).toBe(Object.prototype);
  });

  it('orders entries by a clock that never goes below what the signer saw', async () => {
    const t = await team();
    const future = Date.now() + 3_600_000;
    await record(t.doc, t.as(t.ada), {
      kind: 'setting',
      name: 'retentionDays',
      value: 14,
      at: future,
    });
    expect(nextAt(t.doc, Date.now())).toBe(future + 1);
    // The next change, made with that clock, wins over the one "from the future".
    await record(t.doc, t.as(t.ada), t.setting('retentionDays', 30));
    expect((await t.resolve()).settings.retentionDays).toBe(30);
  });

  it('resolves the same on every peer whatever order the entries arrived in', async () => {
    const t = await team();
    await record(t.doc, t.as(t.ada), t.memberClaim(t.grace, 'Grace', 'admin'));
    await record(t.doc, t.as(t.grace), t.setting('retentionDays', 1));
    const entries = [...ledger(t.doc).entries()];
    const a = await teamVerifier(t.workspace).resolve(entries);
    const b = await teamVerifier(t.workspace).resolve([...entries].reverse());
    expect(b.members).toEqual(a.members);
    expect(b.settings.retentionDays).toBe(1);
  });
});
