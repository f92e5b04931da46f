/**
 * No client starves the others (relay/PROTOCOL.md, Limits): members replaying a long backlog
 * from cursor 0 share the event loop, so another client's intake is still acknowledged at
 * once; large snapshot uploads at once are held to a memory budget.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  call,
  items,
  newWorkspace,
  postIntake,
  rssBytes,
  UNLIMITED,
  wsUrl,
  relayForFile,
} from './helpers.ts';

const BACKLOG = 150_000;

const relay = await relayForFile({ env: UNLIMITED });

/** Fills a workspace's log with `n` events, a few batches at a time. */
async function fill(workspace: string, n: number): Promise<void> {
  const batches = Math.ceil(n / 50);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches) {
      next++;
      const answer = await postIntake(relay.url, workspace, items(50, 100));
      if (answer.status !== 200) throw new Error(`intake: ${answer.status} ${answer.text}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Follows the log from 0 until `n` events came; resolves with how many came. */
function replay(workspace: string, token: string, n: number): Promise<number> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(wsUrl(relay.url, '/v1/live'));
    let count = 0;
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'follow', workspace, token, after: 0 }));
    });
    ws.on('message', (data: Buffer) => {
      // Counted without parsing: this process also times the acks, and parsing 450,000 events
      // here would stall it, not the relay.
      for (let at = data.indexOf('"seq":'); at >= 0; at = data.indexOf('"seq":', at + 6)) count++;
      if (count >= n) {
        ws.close();
        done(count);
      }
    });
    ws.on('error', fail);
  });
}

describe('fairness', () => {
  it('acknowledges another client’s intake within 100 ms while three members replay 150,000 events', async () => {
    const team = await newWorkspace(relay.url);
    await fill(team.workspace, BACKLOG);
    const other = await newWorkspace(relay.url);

    const replays = Promise.all([1, 2, 3].map(() => replay(team.workspace, team.token, BACKLOG)));
    const state = { replaying: true };
    void replays.finally(() => {
      state.replaying = false;
    });
    const acks: number[] = [];
    while (state.replaying) {
      const started = performance.now();
      const answer = await postIntake(relay.url, other.workspace, items(1));
      expect(answer.status).toBe(200);
      acks.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await replays).toEqual([BACKLOG, BACKLOG, BACKLOG]);
    expect(acks.length).toBeGreaterThan(3);
    expect(Math.max(...acks)).toBeLessThan(100);
  }, 120_000);

  it('holds six concurrent 40 MiB snapshot uploads to its memory budget, and stores them all', async () => {
    const MiB = 1024 * 1024;
    const teams = await Promise.all(Array.from({ length: 6 }, () => newWorkspace(relay.url)));
    const snapshot = randomBytes(40 * MiB);
    const before = rssBytes(relay.pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(relay.pid));
    }, 20);
    const statuses: number[] = [];
    const upload = async (team: { workspace: string; token: string }): Promise<void> => {
      for (;;) {
        const answer = await call(
          relay.url,
          'PUT',
          `/v1/workspaces/${team.workspace}/snapshot`,
          snapshot,
          { authorization: `Bearer ${team.token}`, 'content-type': 'application/octet-stream' },
        );
        statuses.push(answer.status);
        if (answer.status !== 503) return;
        expect(answer.body).toMatchObject({ error: 'busy' });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await Promise.all(teams.map(upload));
    clearInterval(sampler);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    // Those that found no room waited their turn instead of being refused.
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Two 40 MiB bodies held, each once, with what storing one costs: well under six at once.
    expect(peak - before).toBeLessThan(260 * MiB);
  }, 120_000);
});
