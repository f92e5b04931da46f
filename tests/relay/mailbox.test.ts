/**
 * Visitors' mailboxes: the team posts sealed replies with its read token; only the holder of
 * the mailbox's capability reads them, from a cursor over HTTP or live over the WebSocket;
 * stored once per id, durably, within a quota, and every refusal a JSON error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LogPage } from '../../src/core/relay-protocol.ts';
import {
  call,
  liveEntries,
  newWorkspace,
  randomId,
  relayForFile,
  spawnRelay,
  wsUrl,
  WsClient,
} from './helpers.ts';

const box = (bytes = 200): string => {
  const part = (n: number): string => randomBytes(n).toString('base64url');
  return `h1.${part(65)}.${part(65)}.${part(bytes)}`;
};

function mailbox(): { capability: string; mailbox: string } {
  const capability = randomBytes(32).toString('base64url');
  return { capability, mailbox: createHash('sha256').update(capability).digest('base64url') };
}

const relay = await relayForFile({
  env: { RELAY_READ_RATE_PER_SEC: '1000', RELAY_READ_BURST: '5000' },
});

const post = (ws: string, token: string, to: string, body: unknown) =>
  call(relay.url, 'POST', `/v1/workspaces/${ws}/mailboxes/${to}`, JSON.stringify(body), {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  });
const read = (ws: string, capability: string, to: string, after = 0) =>
  call(relay.url, 'GET', `/v1/workspaces/${ws}/mailboxes/${to}?after=${after}`, undefined, {
    authorization: `Bearer ${capability}`,
  });

describe('mailboxes', () => {
  it('a reply the team posts is read by the capability’s holder, once per id', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const m = mailbox();
    const reply = { id: randomId('r'), sealed: box() };
    const first = await post(workspace, token, m.mailbox, reply);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ duplicate: false });
    expect((await post(workspace, token, m.mailbox, reply)).body).toEqual({ duplicate: true });
    const second = { id: randomId('r'), sealed: box() };
    await post(workspace, token, m.mailbox, second);

    const page = await read(workspace, m.capability, m.mailbox);
    expect(page.status).toBe(200);
    const body = page.body as LogPage;
    expect(body.events.map((e) => e.id)).toEqual([reply.id, second.id]);
    expect(body.events[0]?.sealed).toBe(reply.sealed);
    const after = await read(workspace, m.capability, m.mailbox, body.events[0]?.seq ?? 0);
    expect((after.body as LogPage).events.map((e) => e.id)).toEqual([second.id]);
  });

  it('nobody without the capability reads a mailbox, and nobody without the token writes', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const m = mailbox();
    await post(workspace, token, m.mailbox, { id: randomId('r'), sealed: box() });
    const other = mailbox();
    expect((await read(workspace, other.capability, m.mailbox)).status).toBe(401);
    // The mailbox id itself is no credential: it is what the relay keeps.
    expect((await read(workspace, m.mailbox, m.mailbox)).status).toBe(401);
    const noAuth = await call(
      relay.url,
      'GET',
      `/v1/workspaces/${workspace}/mailboxes/${m.mailbox}`,
    );
    expect(noAuth.status).toBe(401);
    expect(noAuth.body).toMatchObject({ error: 'unauthorized' });
    const forged = await post(workspace, 'not-the-token', m.mailbox, {
      id: randomId('r'),
      sealed: box(),
    });
    expect(forged.status).toBe(401);
    expect(((await read(workspace, m.capability, m.mailbox)).body as LogPage).events).toHaveLength(
      1,
    );
  });

  it('bad replies get JSON errors and store nothing', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const m = mailbox();
    const cases: [unknown, number, string][] = [
      [{ id: 'short', sealed: box() }, 400, 'invalid_id'],
      [{ id: randomId('r'), sealed: 's1.a.b.c' }, 400, 'invalid_sealed'],
      [{ id: randomId('r'), sealed: '<script>' }, 400, 'invalid_sealed'],
      [{ id: randomId('r'), sealed: box(9000) }, 413, 'sealed_too_large'],
      ['just text', 400, 'invalid_body'],
    ];
    for (const [body, status, error] of cases) {
      const answer = await post(workspace, token, m.mailbox, body);
      expect([answer.status, answer.body]).toEqual([status, expect.objectContaining({ error })]);
    }
    const notJson = await call(
      relay.url,
      'POST',
      `/v1/workspaces/${workspace}/mailboxes/${m.mailbox}`,
      '{',
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(notJson.body).toMatchObject({ error: 'invalid_json' });
    const badBox = await post(workspace, token, 'no', { id: randomId('r'), sealed: box() });
    expect(badBox.body).toMatchObject({ error: 'invalid_mailbox' });
    expect(((await read(workspace, m.capability, m.mailbox)).body as LogPage).events).toEqual([]);
  });

  it('a full mailbox refuses more with 507', async () => {
    const full = await spawnRelay({
      env: { RELAY_READ_RATE_PER_SEC: '1000', RELAY_READ_BURST: '5000', RELAY_MAX_MAILBOX: '3' },
    });
    const { workspace, token } = await newWorkspace(full.url);
    const m = mailbox();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await call(
        full.url,
        'POST',
        `/v1/workspaces/${workspace}/mailboxes/${m.mailbox}`,
        JSON.stringify({ id: randomId('r'), sealed: box() }),
        {
          authorization: `Bearer ${token}`,
        },
      );
      statuses.push(answer.status);
      if (i === 3) expect(answer.body).toMatchObject({ error: 'mailbox_full' });
    }
    expect(statuses).toEqual([200, 200, 200, 507]);
    await full.stop();
  });

  it('a visitor follows its mailbox live: the backlog, then each new reply at once', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const m = mailbox();
    const old = { id: randomId('r'), sealed: box() };
    await post(workspace, token, m.mailbox, old);
    const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    client.send({
      type: 'follow',
      workspace,
      mailbox: m.mailbox,
      capability: m.capability,
      after: 0,
    });
    await client.until((got) => liveEntries(got).length === 1);
    const fresh = { id: randomId('r'), sealed: box() };
    const posted = Date.now();
    await post(workspace, token, m.mailbox, fresh);
    const got = await client.until((all) => liveEntries(all).length === 2);
    expect(Date.now() - posted).toBeLessThan(1000);
    expect(liveEntries(got).map((e) => e.id)).toEqual([old.id, fresh.id]);
    client.close();

    const stranger = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    stranger.send({ type: 'follow', workspace, mailbox: m.mailbox, capability: 'guess', after: 0 });
    expect((await stranger.closedWith()).code).toBe(1008);
  });
});

describe('team status', () => {
  it('says online while a member follows the log, and nothing more', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const status = () => call(relay.url, 'GET', `/v1/workspaces/${workspace}/status`);
    expect((await status()).body).toEqual({ online: false });
    const member = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    member.send({ type: 'follow', workspace, token, after: 0 });
    await member.until((got) => got.length > 0);
    expect((await status()).body).toEqual({ online: true });
    // A visitor following a mailbox is not the team.
    const m = mailbox();
    const visitor = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    visitor.send({
      type: 'follow',
      workspace,
      mailbox: m.mailbox,
      capability: m.capability,
      after: 0,
    });
    await visitor.until((got) => got.length > 0);
    member.close();
    await expect.poll(async () => (await status()).body).toEqual({ online: false });
    visitor.close();
    expect((await call(relay.url, 'GET', '/v1/workspaces/nope/status')).body).toMatchObject({
      error: 'invalid_workspace',
    });
    expect((await call(relay.url, 'GET', `/v1/workspaces/${'x'.repeat(20)}/status`)).status).toBe(
      404,
    );
  });
});
