/**
 * Changing the team secret when a member is removed (relay/PROTOCOL.md, `POST …/rotate`): the
 * relay switches the workspace to the new secret's read token only when a signed chain proves
 * the removal — by the owner or an admin, the next secret after the current one — and from then
 * on the old token reads nothing (log, snapshot, live log); a member who was away finds, with
 * the old token, the change that replaced it, and nothing else.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  ledger,
  teamVerifier,
  nextAt,
  record,
  workspaceIdOf,
  type Role,
  type Signer,
} from '../../src/core/ledger.ts';
import type { ErrorBody } from '../../src/core/relay-protocol.ts';
import { removalChain } from '../../src/core/removal-chain.ts';
import { person, type Person } from '../unit/ledger-people.ts';
import { call, register, wsUrl, WsClient, relayForFile } from './helpers.ts';

const relay = await relayForFile();

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Ada's workspace with Grace (agent) and Bob (agent), registered with `token`. */
async function team(token: string) {
  const ada = await person('ada');
  const grace = await person('grace');
  const bob = await person('bob');
  const workspace = await workspaceIdOf(ada.key);
  const doc = new Y.Doc();
  const as = (p: Person): Signer => ({ workspace, memberId: p.id, privateKey: p.privateKey });
  const join = (p: Person, role: Role) =>
    record(doc, as(p), {
      kind: 'member',
      member: p.id,
      name: p.id,
      role,
      key: p.key,
      at: nextAt(doc, Date.now()),
    });
  await join(ada, 'owner');
  await join(grace, 'agent');
  await join(bob, 'agent');
  expect((await register(relay.url, workspace, token)).status).toBe(201);
  const remove = (by: Person, member: string, epoch: number, newToken: string) =>
    record(doc, as(by), {
      kind: 'removal',
      member,
      epoch,
      tokenHash: hash(newToken),
      secrets: {},
      at: nextAt(doc, Date.now()),
    });
  const chain = async () => {
    const accepted = (await teamVerifier(workspace).resolve(ledger(doc).entries())).accepted;
    return removalChain(accepted);
  };
  /** Every entry the doc holds, accepted or not: what a modified client could send. */
  const everything = () => ({ entries: [...ledger(doc).entries()] });
  return { ada, grace, bob, workspace, remove, chain, everything };
}

const post = (workspace: string, token: string, body: unknown) =>
  call(relay.url, 'POST', `/v1/workspaces/${workspace}/rotate`, JSON.stringify(body), {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  });

const readLog = (workspace: string, token: string) =>
  call(relay.url, 'GET', `/v1/workspaces/${workspace}/log`, undefined, {
    authorization: `Bearer ${token}`,
  });

const readRotation = (workspace: string, token: string) =>
  call(relay.url, 'GET', `/v1/workspaces/${workspace}/rotation`, undefined, {
    authorization: `Bearer ${token}`,
  });

describe('changing the team secret', () => {
  it('switches to the new token on an owner’s signed removal; the old one reads nothing', async () => {
    const t = await team('old-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    const old = 'old-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    client.send({ type: 'follow', workspace: t.workspace, token: old, after: 0 });
    await client.until((r) => r.length >= 1);

    await t.remove(t.ada, 'bob', 2, 'new-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    const answer = await post(t.workspace, old, await t.chain());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ epoch: 2 });
    // The old token's live follower is let go; the old token reads nothing more.
    await client.until((r) => r.some((m) => (m as ErrorBody).error === 'unauthorized'));
    expect((await readLog(t.workspace, old)).status).toBe(401);
    expect((await readLog(t.workspace, 'new-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).status).toBe(
      200,
    );
    // A member who was away finds the change with the old token (the chain it was proved by).
    const rotation = await readRotation(t.workspace, old);
    expect(rotation.status).toBe(200);
    expect((rotation.body as { epoch: number }).epoch).toBe(2);
    expect(
      (await readRotation(t.workspace, 'new-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).status,
    ).toBe(404);
    expect((await readRotation(t.workspace, 'never-a-token-ccccccccccccccccccccccc')).status).toBe(
      401,
    );
    client.close();
  });

  it('refuses a removal no admin signed, one that is not the next secret, and garbage', async () => {
    const token = 'old-token-dddddddddddddddddddddddddddddddd';
    const t = await team(token);
    // An agent's removal is no removal: the chain proves nothing.
    await t.remove(t.grace, 'bob', 2, 'mallory-token-eeeeeeeeeeeeeeeeeeeeeeeeeeee');
    expect((await post(t.workspace, token, t.everything())).status).toBe(400);
    expect((await post(t.workspace, token, { entries: 'nope' })).status).toBe(400);
    expect((await post(t.workspace, token, [1, 2, 3])).status).toBe(400);
    // Without the current token, nothing is even read.
    await t.remove(t.ada, 'bob', 2, 'new-token-ffffffffffffffffffffffffffffffff');
    expect(
      (await post(t.workspace, 'wrong-token-gggggggggggggggggggggggg', await t.chain())).status,
    ).toBe(401);
    const first = await post(t.workspace, token, await t.chain());
    expect(first.status).toBe(200);
    // The same change again (or a rival one for the same secret) is not the next one.
    const again = await post(
      t.workspace,
      'new-token-ffffffffffffffffffffffffffffffff',
      await t.chain(),
    );
    expect(again.status).toBe(409);
    expect((again.body as ErrorBody).error).toBe('epoch_conflict');
  });
});
