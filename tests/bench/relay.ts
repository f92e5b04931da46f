/**
 * Relay benchmark (SPEC §13), loopback only, bounded in time. Starts its own relay process
 * (port 0, temporary data dir) and, for the fan-out comparison, y-webrtc's own signaling server:
 *   a) sustained durable intake, events/s: concurrent keep-alive clients posting batches;
 *   b) ack latency p50/p99 for single-event posts paced at 1,000 events/s;
 *   c) signaling fan-out: N peers on one topic each publishing, time until every subscriber got
 *      every message — against our relay and against y-webrtc's bin/server.js, same load.
 * Intake rate limits are raised for this relay: the load comes from one IP, where real traffic
 * comes from many visitors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { RELAY_LIMITS } from '../../src/core/relay-protocol.ts';
import {
  fakeSealed,
  newWorkspace,
  removeDir,
  rssBytes,
  spawnRelay,
  type RelayProcess,
} from '../relay/helpers.ts';
import { freePort } from '../relay/redis.ts';
import { percentile } from './shared.ts';

const ROOT = resolve(import.meta.dirname, '../..');

type Figures = Record<string, number | string>;

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** POSTs a body; resolves with the status once the answer has been read. */
export function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          ok(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** Intake bodies with fresh ids; the sealed boxes come from a small pre-made pool. */
export function makeBodies(prefix: string) {
  const pool = Array.from({ length: 64 }, () => fakeSealed(900));
  let n = 0;
  return (events: number): string => {
    let body = '{"events":[';
    for (let i = 0; i < events; i++) {
      const id = `${prefix}_${(n++).toString(36).padStart(14, '0')}`;
      body += `${i ? ',' : ''}{"id":"${id}","sealed":"${pool[n % pool.length] ?? ''}"}`;
    }
    return `${body}]}`;
  };
}

/**
 * a) Sustained durable intake: `clients` keep-alive clients post batches back to back, spread
 * over the nodes given (one relay, or several over one Redis).
 */
export async function intakeThroughput(
  relays: RelayProcess[],
  seconds: number,
  name = 'relay.intake',
): Promise<Figures> {
  const [first] = relays;
  if (!first) throw new Error('no relay');
  const { workspace } = await newWorkspace(first.url);
  const urls = relays.map((relay) => new URL(`/v1/intake/${workspace}`, relay.url));
  const clients = 8;
  const batch = 40;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const body = makeBodies('tp');
  const bodyBytes = Buffer.byteLength(body(batch));
  if (bodyBytes > RELAY_LIMITS.maxBodyBytes) throw new Error(`batch too large: ${bodyBytes}`);
  let events = 0;
  let failed = 0;
  let counting = false;
  const warmupEnd = Date.now() + 1000;
  const end = warmupEnd + seconds * 1000;
  let started = 0;
  let maxRss = 0;
  const sampler = setInterval(() => {
    for (const relay of relays) maxRss = Math.max(maxRss, rssBytes(relay.pid));
  }, 100);
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const url = urls[client % urls.length] ?? urls[0];
      while (Date.now() < end) {
        if (!counting && Date.now() >= warmupEnd) {
          counting = true;
          started = performance.now();
        }
        // A refused or broken request is a figure of its own, not the end of the run.
        const status = url ? await post(agent, url, body(batch)).catch(() => 0) : 0;
        if (status !== 200) failed++;
        else if (counting) events += batch;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  agent.destroy();
  return {
    [`${name}.eventsPerSec`]: Math.round(events / elapsed),
    [`${name}.clients`]: clients,
    [`${name}.batch`]: batch,
    [`${name}.bodyBytes`]: bodyBytes,
    [`${name}.failed`]: failed,
    [`${name}.maxRssMB`]: Math.round(maxRss / 1e6),
  };
}

/** b) Ack latency of single-event posts paced at `rate` per second, spread over the nodes. */
export async function ackLatency(
  relays: RelayProcess[],
  rate: number,
  seconds: number,
  name = 'relay.ack',
): Promise<Figures> {
  const [first] = relays;
  if (!first) throw new Error('no relay');
  const { workspace } = await newWorkspace(first.url);
  const urls = relays.map((relay) => new URL(`/v1/intake/${workspace}`, relay.url));
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const body = makeBodies('lat');
  const latencies: number[] = [];
  let failed = 0;
  const inflight: Promise<void>[] = [];
  const total = rate * seconds;
  const start = performance.now();
  let sent = 0;
  // Send on schedule: every tick, whatever is due by now (timers are coarser than 1 ms).
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const t0 = performance.now();
      const url = urls[sent % urls.length] ?? new URL(first.url);
      inflight.push(
        post(agent, url, body(1)).then(
          (status) => {
            if (status === 200) latencies.push(performance.now() - t0);
            else failed++;
          },
          () => {
            failed++;
          },
        ),
      );
    }
    await new Promise((ok) => setTimeout(ok, 1));
  }
  await Promise.all(inflight);
  const achieved = total / ((performance.now() - start) / 1000);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    [`${name}.ratePerSec`]: Math.round(achieved),
    [`${name}.samples`]: sorted.length,
    [`${name}.failed`]: failed,
    [`${name}.p50Ms`]: round1(percentile(sorted, 50)),
    [`${name}.p99Ms`]: round1(percentile(sorted, 99)),
    [`${name}.maxMs`]: round1(sorted[sorted.length - 1] ?? NaN),
  };
}

export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => {
      ok(ws);
    });
    ws.once('error', fail);
  });
}

/**
 * c) `peers` clients subscribe to one topic; each publishes `perPeer` messages at once; resolves
 * with the milliseconds from the first publish until every client received every message.
 * Clients only count frames (no parsing) so that the server, not the client, is measured.
 */
export async function fanout(
  url: string | string[],
  peers: number,
  perPeer: number,
): Promise<number> {
  // Several urls: the peers are spread over them (relay nodes over one Redis).
  const urls = typeof url === 'string' ? [url] : url;
  const sockets = await Promise.all(
    Array.from({ length: peers }, (_, i) => {
      const to = urls[i % urls.length] ?? '';
      // Says which server refused: the relay or the y-webrtc server it is compared with.
      return openSocket(to).catch((err: unknown) => {
        throw new Error(`opening ${to}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }),
  );
  const topic = `bench-${Math.random().toString(36).slice(2)}`;
  let received = 0;
  let target = peers;
  let reached: () => void = () => undefined;
  const wait = (count: number): Promise<void> =>
    new Promise((ok) => {
      received = 0;
      target = count;
      reached = ok;
    });
  for (const ws of sockets) {
    ws.on('message', () => {
      if (++received === target) reached();
    });
    ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
  }
  // A probe publish that reaches everyone proves every subscription is in place.
  const probed = wait(peers);
  await new Promise((ok) => setTimeout(ok, urls.length > 1 ? 200 : 50));
  sockets[0]?.send(JSON.stringify({ type: 'publish', topic, data: 'probe' }));
  await probed;

  const payload = 'x'.repeat(600); // about one encrypted y-webrtc signal
  const finished = wait(peers * perPeer * peers);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      fail(new Error(`fan-out timed out at ${received}/${target}`));
    }, 30_000);
  });
  const started = performance.now();
  for (let i = 0; i < perPeer; i++) {
    for (const ws of sockets) {
      ws.send(JSON.stringify({ type: 'publish', topic, data: { type: 'signal', i, payload } }));
    }
  }
  try {
    await Promise.race([finished, timeout]);
  } finally {
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
  }
  return performance.now() - started;
}

/** y-webrtc's own signaling server (bin/server.js), on a free port. */
export async function startYWebrtc(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/y-webrtc/bin/server.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `ws://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      (await openSocket(url)).terminate();
      return { url, child };
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
}

export async function benchRelay(): Promise<Figures> {
  const relay = await spawnRelay({
    env: {
      RELAY_RATE_PER_SEC: '100000000',
      RELAY_RATE_BURST: '100000000',
      RELAY_CONNECT_BURST: '100000',
    },
  });
  const ywebrtc = await startYWebrtc();
  try {
    const figures: Figures = {};
    Object.assign(figures, await intakeThroughput([relay], 5));
    Object.assign(figures, await ackLatency([relay], 1000, 5));

    const peers = 30;
    const perPeer = 100;
    const ours: number[] = [];
    const theirs: number[] = [];
    await fanout(`${relay.url.replace('http', 'ws')}/signal`, peers, 5); // warm-up
    await fanout(ywebrtc.url, peers, 5);
    // Alternate the two servers so that both see the same machine conditions.
    for (let i = 0; i < 5; i++) {
      ours.push(await fanout(`${relay.url.replace('http', 'ws')}/signal`, peers, perPeer));
      theirs.push(await fanout(ywebrtc.url, peers, perPeer));
    }
    const median = (list: number[]): number =>
      [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
    figures['relay.fanout.peers'] = peers;
    figures['relay.fanout.messages'] = peers * perPeer;
    figures['relay.fanout.deliveries'] = peers * perPeer * peers;
    figures['relay.fanout.oursMs'] = round1(median(ours));
    figures['relay.fanout.ywebrtcMs'] = round1(median(theirs));
    figures['relay.fanout.runs'] = ours.length;
    // The budget: not slower than y-webrtc's own server (a ratio of at most 1).
    figures['relay.fanout.vsYwebrtc'] = Math.round((median(ours) / median(theirs)) * 100) / 100;
    return figures;
  } finally {
    ywebrtc.child.kill('SIGKILL');
    await relay.stop();
    await removeDir(relay.dataDir);
  }
}
