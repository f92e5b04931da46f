/**
 * Several relay nodes over one real Redis (PROTOCOL.md, Several nodes): any node takes any
 * client, a member on one node sees what a widget posted to another live, signaling peers on
 * different nodes find each other, and neither a killed node nor a killed Redis loses an
 * acknowledged event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  items,
  liveEntries,
  newWorkspace,
  postIntake,
  readAll,
  removeDir,
  spawnRelay,
  stopAllRelays,
  UNLIMITED,
  wsUrl,
  WsClient,
  type RelayProcess,
} from './helpers.ts';
import { spawnRedis, stopAllRedis, type RedisProcess } from './redis.ts';

let redis: RedisProcess;
let nodes: RelayProcess[];

const node = (redisUrl: string): Promise<RelayProcess> =>
  spawnRelay({ env: { ...UNLIMITED, RELAY_REDIS_URL: redisUrl } });

beforeAll(async () => {
  redis = await spawnRedis();
  nodes = await Promise.all([node(redis.url), node(redis.url), node(redis.url)]);
});
afterAll(async () => {
  await stopAllRelays();
  await stopAllRedis();
  for (const n of nodes) await removeDir(n.dataDir);
  await removeDir(redis.dir);
});

async function follow(relay: RelayProcess, workspace: string, token: string, after = 0) {
  const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
  client.send({ type: 'follow', workspace, token, after });
  await client.until((r) => r.length > 0);
  return client;
}

describe('several relay nodes over one Redis', () => {
  it('gives a member following on C, live, in order and once, what a widget posted to A', async () => {
    const [a, b, c] = nodes as [RelayProcess, RelayProcess, RelayProcess];
    const team = await newWorkspace(b.url);
    await postIntake(a.url, team.workspace, items(3));
    const member = await follow(c, team.workspace, team.token);
    const sent = items(20);
    for (let i = 0; i < sent.length; i += 5) {
      const answer = await postIntake(i % 10 ? a.url : b.url, team.workspace, sent.slice(i, i + 5));
      expect(answer.status).toBe(200);
    }
    // A duplicate through another node is told so and stored once.
    const again = await postIntake(c.url, team.workspace, sent.slice(0, 5));
    expect(again.body).toEqual({ accepted: 0, duplicates: 5 });
    await member.until((r) => liveEntries(r).length >= 23);
    const got = liveEntries(member.received);
    expect(got.map((e) => e.id).slice(3)).toEqual(sent.map((e) => e.id));
    expect(new Set(got.map((e) => e.id)).size).toBe(23);
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(await readAll(a.url, team.workspace, team.token)).toEqual(got);
    member.close();
  });

  it('lets signaling peers on different nodes find each other', async () => {
    const [a, b] = nodes as [RelayProcess, RelayProcess];
    const alice = await WsClient.open(wsUrl(a.url, '/signal'));
    const bob = await WsClient.open(wsUrl(b.url, '/signal'));
    alice.send({ type: 'subscribe', topics: ['room-1'] });
    bob.send({ type: 'subscribe', topics: ['room-1'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    alice.send({ type: 'publish', topic: 'room-1', data: { hello: 'bob' } });
    await bob.until((r) => r.some((m) => (m as { type?: string }).type === 'publish'));
    expect(bob.received).toContainEqual(
      expect.objectContaining({ type: 'publish', topic: 'room-1', data: { hello: 'bob' } }),
    );
    // The sender gets its own publish once (from its node), not echoed back by the others.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alice.received.filter((m) => (m as { type?: string }).type === 'publish')).toHaveLength(
      1,
    );
    alice.close();
    bob.close();
  });

  it('says the team is online on every node when a member follows on one', async () => {
    const [a, b] = nodes as [RelayProcess, RelayProcess];
    const team = await newWorkspace(a.url);
    const status = async () =>
      (await call(b.url, 'GET', `/v1/workspaces/${team.workspace}/status`)).body;
    expect(await status()).toEqual({ online: false });
    const member = await follow(a, team.workspace, team.token);
    await expect.poll(status).toEqual({ online: true });
    member.close();
    await expect.poll(status, { timeout: 5_000 }).toEqual({ online: false });
  });

  it('loses and doubles nothing when a node is killed in the middle of a burst', async () => {
    const victim = await node(redis.url);
    const [a] = nodes as [RelayProcess];
    const team = await newWorkspace(a.url);
    const sent = items(400);
    const acknowledged = new Set<string>();
    const post = async (batch: typeof sent, first: RelayProcess): Promise<void> => {
      // A client whose node dies tries another, as the widget's outbox does on its next try.
      for (const target of [first, a]) {
        try {
          const answer = await postIntake(target.url, team.workspace, batch);
          if (answer.status === 200) {
            for (const item of batch) acknowledged.add(item.id);
            return;
          }
        } catch {
          // the node went away mid-request
        }
      }
      throw new Error('no node took the batch');
    };
    const batches = Array.from({ length: 40 }, (_, i) => sent.slice(i * 10, i * 10 + 10));
    const posting = Promise.all(batches.map((batch, i) => post(batch, i % 2 ? victim : a)));
    setTimeout(() => {
      void victim.stop('SIGKILL');
    }, 20);
    await posting;
    const log = await readAll(a.url, team.workspace, team.token);
    expect(new Set(log.map((e) => e.id))).toEqual(new Set(sent.map((e) => e.id)));
    expect(log).toHaveLength(400);
    expect(acknowledged.size).toBe(400);
  });

  it('keeps every acknowledged event through a kill -9 of Redis, and resumes live loops', async () => {
    const [a, b] = nodes as [RelayProcess, RelayProcess];
    const team = await newWorkspace(a.url);
    const before = items(50);
    expect((await postIntake(a.url, team.workspace, before.slice(0, 25))).status).toBe(200);
    expect((await postIntake(b.url, team.workspace, before.slice(25))).status).toBe(200);
    const member = await follow(b, team.workspace, team.token);
    await member.until((r) => liveEntries(r).length >= 50);

    await redis.stop('SIGKILL');
    // While Redis is away nothing is acknowledged: 503 with Retry-After.
    const refused = await postIntake(a.url, team.workspace, items(1));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toMatchObject({ error: 'unavailable' });

    redis = await spawnRedis({ from: redis });
    const after = items(10);
    await expect
      .poll(async () => (await postIntake(a.url, team.workspace, after)).status, {
        timeout: 10_000,
      })
      .toBe(200);
    const log = await readAll(b.url, team.workspace, team.token);
    expect(log.map((e) => e.id)).toEqual([...before, ...after].map((e) => e.id));
    // The member's node read on from its last id once Redis was back.
    await member.until((r) => liveEntries(r).length >= 60, 10_000);
    expect(liveEntries(member.received).map((e) => e.id)).toEqual(log.map((e) => e.id));
    member.close();
  });
});

describe('a full Redis', () => {
  it('answers 507 storage_full, not a crash', async () => {
    const small = await spawnRedis({
      args: ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'],
    });
    const relay = await node(small.url);
    const team = await newWorkspace(relay.url);
    let answer = await postIntake(relay.url, team.workspace, items(20, 2000));
    for (let i = 0; i < 200 && answer.status === 200; i++) {
      answer = await postIntake(relay.url, team.workspace, items(20, 2000));
    }
    expect(answer.status).toBe(507);
    expect(answer.body).toMatchObject({ error: 'storage_full' });
    // The relay carries on: it answers, and reads what it holds.
    expect((await call(relay.url, 'GET', '/health')).status).toBe(200);
    expect((await readAll(relay.url, team.workspace, team.token)).length).toBeGreaterThan(0);
    await relay.stop();
    await small.stop();
    await removeDir(relay.dataDir);
    await removeDir(small.dir);
  }, 60_000);
});
