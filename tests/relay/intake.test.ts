/**
 * Intake and reading back: idempotent intake, registration, cursor paging over HTTP, and the
 * live WebSocket (backlog then live, across the boundary, with no gap and no duplicate).
 */
import { describe, expect, it } from 'vitest';
import type { IntakeItem, LogEntry, LogPage } from '../../src/core/relay-protocol.ts';
import {
  call,
  items,
  liveEntries,
  newWorkspace,
  postIntake,
  randomId,
  readAll,
  readPage,
  register,
  sha256Hex,
  WsClient,
  wsUrl,
  relayForFile,
} from './helpers.ts';

const relay = await relayForFile({
  env: { RELAY_RATE_PER_SEC: '1000000', RELAY_RATE_BURST: '1000000' },
});

async function postAll(workspace: string, events: IntakeItem[]): Promise<void> {
  for (let i = 0; i < events.length; i += 50) {
    const answer = await postIntake(relay.url, workspace, events.slice(i, i + 50));
    expect(answer.status).toBe(200);
  }
}

function expectStrictlyIncreasing(entries: LogEntry[]): void {
  for (let i = 1; i < entries.length; i++) {
    expect(entries[i]?.seq).toBeGreaterThan(entries[i - 1]?.seq ?? Infinity);
  }
}

describe('registration', () => {
  it('creates (201), repeats idempotently (200), refuses another hash (409)', async () => {
    const workspace = randomId('ws');
    const first = await register(relay.url, workspace, 'token-a');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ workspace, created: true });
    const again = await register(relay.url, workspace, 'token-a');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ workspace, created: false });
    const other = await register(relay.url, workspace, 'token-b');
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: 'workspace_conflict' });
    // The original token still reads the log; the other one does not.
    expect((await readPage(relay.url, workspace, 'token-a')).events).toEqual([]);
  });

  it('validates the workspace id and the hash', async () => {
    const bad = [
      { workspace: 'short', readTokenHash: sha256Hex('x') },
      { workspace: randomId('ws'), readTokenHash: 'abc' },
      { workspace: randomId('ws'), readTokenHash: 'z'.repeat(64) },
      { workspace: 42, readTokenHash: sha256Hex('x') },
    ];
    for (const body of bad) {
      const answer = await call(relay.url, 'POST', '/v1/workspaces', JSON.stringify(body));
      expect(answer.status).toBe(400);
    }
    const notJson = await call(relay.url, 'POST', '/v1/workspaces', '{nope');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: 'invalid_json' });
  });
});

describe('intake', () => {
  it('acknowledges with counts and answers CORS for any origin', async () => {
    const { workspace } = await newWorkspace(relay.url);
    const answer = await postIntake(relay.url, workspace, items(3));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ accepted: 3, duplicates: 0 });
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    const preflight = await call(relay.url, 'OPTIONS', `/v1/workspaces/${workspace}/log`, '', {
      origin: 'https://app.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization/i);
  });

  it('ignores duplicate ids: counted as duplicates, stored once', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const batch = items(10);
    expect((await postIntake(relay.url, workspace, batch)).body).toEqual({
      accepted: 10,
      duplicates: 0,
    });
    // The same batch again, a mix of old and new, and a batch repeating one id twice.
    expect((await postIntake(relay.url, workspace, batch)).body).toEqual({
      accepted: 0,
      duplicates: 10,
    });
    const fresh = items(5);
    const mixed = [...batch.slice(0, 5), ...fresh];
    expect((await postIntake(relay.url, workspace, mixed)).body).toEqual({
      accepted: 5,
      duplicates: 5,
    });
    const twin = items(1);
    const twice = [...twin, ...twin];
    expect((await postIntake(relay.url, workspace, twice)).body).toEqual({
      accepted: 1,
      duplicates: 1,
    });
    // Concurrent re-posts of one batch (they may share a group commit).
    const racing = items(20);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postIntake(relay.url, workspace, racing)),
    );
    const accepted = answers.map((a) => (a.body as { accepted: number }).accepted);
    expect(accepted.reduce((a, b) => a + b, 0)).toBe(20);

    const log = await readAll(relay.url, workspace, token);
    const ids = log.map((e) => e.id);
    expect(ids).toEqual([...batch, ...fresh, ...twin, ...racing].map((e) => e.id));
    expect(log.find((e) => e.id === batch[0]?.id)?.sealed).toBe(batch[0]?.sealed);
  });

  it('keeps workspaces apart: the same event id in two workspaces is two events', async () => {
    const a = await newWorkspace(relay.url);
    const b = await newWorkspace(relay.url);
    const batch = items(4);
    expect((await postIntake(relay.url, a.workspace, batch)).body).toMatchObject({ accepted: 4 });
    expect((await postIntake(relay.url, b.workspace, batch)).body).toMatchObject({ accepted: 4 });
    expect(await readAll(relay.url, a.workspace, a.token)).toHaveLength(4);
    expect(await readAll(relay.url, b.workspace, b.token)).toHaveLength(4);
  });
});

describe('log reads', () => {
  it('resumes from a cursor: `after` returns exactly the rest, paged', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const events = items(1234, 50);
    await postAll(workspace, events);

    const all = await readAll(relay.url, workspace, token);
    expect(all.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expectStrictlyIncreasing(all);

    const first: LogPage = await readPage(relay.url, workspace, token, 0);
    expect(first.events).toHaveLength(500); // maxLogPage
    expect(first.more).toBe(true);
    expect(first.cursor).toBe(first.events[499]?.seq);

    const cut = all[700];
    if (!cut) throw new Error('no entry 700');
    const rest = await readAll(relay.url, workspace, token, cut.seq);
    expect(rest.map((e) => e.id)).toEqual(events.slice(701).map((e) => e.id));

    const small = await readPage(relay.url, workspace, token, cut.seq, 7);
    expect(small.events.map((e) => e.id)).toEqual(events.slice(701, 708).map((e) => e.id));
    expect(small.more).toBe(true);

    const last = all[all.length - 1];
    const end = await readPage(relay.url, workspace, token, last?.seq ?? 0);
    expect(end).toEqual({ events: [], cursor: last?.seq, more: false });
  });

  it('refuses malformed cursors and limits', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    for (const query of ['after=-1', 'after=abc', 'after=1e3', 'limit=0', 'limit=x']) {
      const answer = await call(
        relay.url,
        'GET',
        `/v1/workspaces/${workspace}/log?${query}`,
        undefined,
        {
          authorization: `Bearer ${token}`,
        },
      );
      expect(answer.status, query).toBe(400);
    }
  });
});

describe('live follow', () => {
  it('sends the backlog from a cursor, then live events, with no gap or duplicate', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const before = items(1100, 100);
    await postAll(workspace, before);
    const log = await readAll(relay.url, workspace, token);
    const from = log[99];
    if (!from) throw new Error('no entry 99');

    const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    client.send({ type: 'follow', workspace, token, after: from.seq });
    await client.until((r) => liveEntries(r).length >= 1000);
    const after = items(60, 100);
    await postAll(workspace, after.slice(0, 10));
    await postAll(workspace, after.slice(10));
    const expected = [...before.slice(100), ...after].map((e) => e.id);
    await client.until((r) => liveEntries(r).length >= expected.length);
    // Nothing extra arrives later.
    await new Promise((ok) => setTimeout(ok, 200));
    const got = liveEntries(client.received);
    expect(got.map((e) => e.id)).toEqual(expected);
    expectStrictlyIncreasing(got);
    // Each message's cursor is the seq of its last entry.
    for (const m of client.received as { type: string; cursor: number; events: LogEntry[] }[]) {
      expect(m.type).toBe('events');
      if (m.events.length) expect(m.cursor).toBe(m.events[m.events.length - 1]?.seq);
    }
    client.close();
  });

  it('announces a follow with an empty message when there is no backlog', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    client.send({ type: 'follow', workspace, token, after: 0 });
    await client.until((r) => r.length >= 1);
    expect(client.received[0]).toEqual({ type: 'events', events: [], cursor: 0, more: false });
    const batch = items(3);
    await postAll(workspace, batch);
    await client.until((r) => liveEntries(r).length >= 3);
    expect(liveEntries(client.received).map((e) => e.id)).toEqual(batch.map((e) => e.id));
    client.close();
  });

  it('says while backlog is waiting, and when the message that ends it is sent', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    await postAll(workspace, items(700));
    const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    client.send({ type: 'follow', workspace, token, after: 0 });
    await client.until((r) => liveEntries(r).length >= 700);
    const messages = client.received as { more?: boolean; events: LogEntry[] }[];
    // Pages of at most 500: the first says more is waiting, the last that nothing is.
    expect(messages[0]?.more).toBe(true);
    expect(messages[messages.length - 1]?.more).toBe(false);
    await postAll(workspace, items(2, 900));
    await client.until((r) => liveEntries(r).length >= 702);
    expect((client.received as { more?: boolean }[]).at(-1)?.more).toBe(false);
    client.close();
  });

  it('crosses the backlog/live boundary under concurrent writes without gap or duplicate', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    await postAll(workspace, items(600, 100));
    const initial = await readAll(relay.url, workspace, token);
    const state = { writing: true };
    const written: string[] = [];
    const writer = (async () => {
      while (state.writing) {
        const batch = items(5, 100);
        const answer = await postIntake(relay.url, workspace, batch);
        expect(answer.status).toBe(200);
        written.push(...batch.map((e) => e.id));
      }
    })();
    // Several followers join while the writer runs, each from a different cursor.
    await new Promise((ok) => setTimeout(ok, 50));
    const clients = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        await new Promise((ok) => setTimeout(ok, i * 40));
        const after = i === 0 ? 0 : (initial[i * 150]?.seq ?? 0);
        const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
        client.send({ type: 'follow', workspace, token, after });
        return { client, after };
      }),
    );
    await new Promise((ok) => setTimeout(ok, 400));
    state.writing = false;
    await writer;
    const log = await readAll(relay.url, workspace, token);
    for (const { client, after } of clients) {
      const expected = log.filter((e) => e.seq > after).map((e) => e.id);
      await client.until((r) => liveEntries(r).length >= expected.length);
      expect(liveEntries(client.received).map((e) => e.id)).toEqual(expected);
      client.close();
    }
    expect(written.length).toBeGreaterThan(0);
  });
});
