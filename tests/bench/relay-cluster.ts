/**
 * Relay benchmark over Redis (SPEC §14), loopback only: a real redis-server (durable: fsync on
 * every write) and relay nodes over it.
 *   a) durable intake and ack latency with 1 and with 3 nodes (compare relay.intake / .ack:
 *      the embedded store on one node);
 *   b) cross-node live delivery: a widget posts to node A, a member follows on node C;
 *   c) signaling fan-out with the peers spread over 3 nodes, against y-webrtc's own server;
 *   d) fairness, both stores: the longest the relay's event loop was held up while three
 *      members replay a 150,000-event log from cursor 0 (its /health figure).
 */
import { WebSocket } from 'ws';
import {
  call,
  items,
  newWorkspace,
  postIntake,
  removeDir,
  spawnRelay,
  wsUrl,
  type RelayProcess,
} from '../relay/helpers.ts';
import { spawnRedis } from '../relay/redis.ts';
import { ackLatency, fanout, intakeThroughput, startYWebrtc } from './relay.ts';
import { percentile } from './shared.ts';

type Figures = Record<string, number | string>;
const round1 = (n: number): number => Math.round(n * 10) / 10;

const LOAD = {
  RELAY_RATE_PER_SEC: '100000000',
  RELAY_RATE_BURST: '100000000',
  RELAY_CONNECT_BURST: '100000',
  RELAY_READ_RATE_PER_SEC: '100000000',
  RELAY_READ_BURST: '100000000',
};

/** b) Post single events to `from`, paced; time until a member following on `to` has each. */
async function crossNodeLatency(from: RelayProcess, to: RelayProcess): Promise<Figures> {
  const team = await newWorkspace(from.url);
  const ws = new WebSocket(wsUrl(to.url, '/v1/live'));
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await new Promise<void>((ready, fail) => {
    ws.once('error', fail);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'follow', ...team, after: 0 }));
    });
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { events?: { id: string }[] };
      ready();
      for (const event of message.events ?? []) {
        const t0 = sentAt.get(event.id);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
      }
    });
  });
  const total = 600;
  for (let i = 0; i < total; i++) {
    const [event] = items(1, 900);
    if (!event) break;
    sentAt.set(event.id, performance.now());
    void postIntake(from.url, team.workspace, [event]);
    // About 200 events a second.
    if (i % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < total && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  ws.terminate();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    'relay.cluster.live.samples': sorted.length,
    'relay.cluster.live.p50Ms': round1(percentile(sorted, 50)),
    'relay.cluster.live.p95Ms': round1(percentile(sorted, 95)),
  };
}

/** d) Longest event-loop stall of `relay` while 3 members replay a 150,000-event log. */
async function replayStall(relay: RelayProcess): Promise<number> {
  const team = await newWorkspace(relay.url);
  const backlog = 150_000;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < backlog / 50) {
        next++;
        const answer = await postIntake(relay.url, team.workspace, items(50, 100));
        if (answer.status !== 200) throw new Error(`intake: ${answer.status}`);
      }
    }),
  );
  await call(relay.url, 'GET', '/health'); // resets the figure
  const replay = (): Promise<void> =>
    new Promise((done, fail) => {
      const ws = new WebSocket(wsUrl(relay.url, '/v1/live'));
      let count = 0;
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'follow', ...team, after: 0 }));
      });
      ws.on('message', (data: Buffer) => {
        count += (JSON.parse(data.toString()) as { events?: unknown[] }).events?.length ?? 0;
        if (count >= backlog) {
          ws.terminate();
          done();
        }
      });
      ws.on('error', fail);
    });
  await Promise.all([replay(), replay(), replay()]);
  const health = (await call(relay.url, 'GET', '/health')).body as { eventLoopDelayMaxMs: number };
  return health.eventLoopDelayMaxMs;
}

export async function benchRelayCluster(): Promise<Figures> {
  const figures: Figures = {};
  const redis = await spawnRedis();
  const env = { ...LOAD, RELAY_REDIS_URL: redis.url };
  const nodes: RelayProcess[] = [];
  const sqlite = await spawnRelay({ env: LOAD });
  const ywebrtc = await startYWebrtc();
  try {
    nodes.push(await spawnRelay({ env }));
    Object.assign(figures, await intakeThroughput(nodes, 5, 'relay.redis1.intake'));
    Object.assign(figures, await ackLatency(nodes, 1000, 5, 'relay.redis1.ack'));
    nodes.push(await spawnRelay({ env }), await spawnRelay({ env }));
    Object.assign(figures, await intakeThroughput(nodes, 5, 'relay.redis3.intake'));
    Object.assign(figures, await ackLatency(nodes, 1000, 5, 'relay.redis3.ack'));
    const [a, , c] = nodes as [RelayProcess, RelayProcess, RelayProcess];
    Object.assign(figures, await crossNodeLatency(a, c));

    const peers = 30;
    const perPeer = 100;
    const signal = nodes.map((n) => wsUrl(n.url, '/signal'));
    await fanout(signal, peers, 5); // warm-up
    await fanout(ywebrtc.url, peers, 5);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < 5; i++) {
      ours.push(await fanout(signal, peers, perPeer));
      theirs.push(await fanout(ywebrtc.url, peers, perPeer));
    }
    const median = (list: number[]): number =>
      [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] ?? NaN;
    figures['relay.cluster.fanout.oursMs'] = round1(median(ours));
    figures['relay.cluster.fanout.ywebrtcMs'] = round1(median(theirs));
    figures['relay.cluster.fanout.vsYwebrtc'] =
      Math.round((median(ours) / median(theirs)) * 100) / 100;

    figures['relay.replayStall.sqliteMs'] = await replayStall(sqlite);
    figures['relay.replayStall.redisMs'] = await replayStall(a);
    return figures;
  } finally {
    ywebrtc.child.kill('SIGKILL');
    for (const relay of [sqlite, ...nodes]) {
      await relay.stop();
      await removeDir(relay.dataDir);
    }
    await redis.stop();
    await removeDir(redis.dir);
  }
}
