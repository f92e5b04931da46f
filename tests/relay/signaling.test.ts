/**
 * Signaling (`/signal`): y-webrtc's protocol (subscribe, unsubscribe, publish with `clients`,
 * ping/pong), checked with plain ws clients and with y-webrtc's own SignalingConn; and the limits
 * y-webrtc's server lacks (bad JSON, binary junk, payload size, topics, rate, idle peers,
 * connection cap).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  call,
  removeDir,
  spawnRelay,
  stopAllRelays,
  WsClient,
  wsUrl,
  type RelayProcess,
} from './helpers.ts';

let relay: RelayProcess;
/** Short heartbeat and a cap of 3 signaling connections. */
let tight: RelayProcess;

beforeAll(async () => {
  [relay, tight] = await Promise.all([
    spawnRelay(),
    spawnRelay({ env: { RELAY_PING_INTERVAL_MS: '250', RELAY_MAX_SIGNAL: '3' } }),
  ]);
});
afterAll(async () => {
  await stopAllRelays();
  await Promise.all([removeDir(relay.dataDir), removeDir(tight.dataDir)]);
});

const signal = (): Promise<WsClient> => WsClient.open(wsUrl(relay.url, '/signal'));

/** Resolves once the relay has processed everything `client` sent before (ping → pong). */
async function settle(client: WsClient): Promise<void> {
  const pongs = client.received.filter((m) => (m as { type?: string }).type === 'pong').length;
  client.send({ type: 'ping' });
  await client.until(
    (r) => r.filter((m) => (m as { type?: string }).type === 'pong').length > pongs,
  );
}

function published(received: unknown[]): Record<string, unknown>[] {
  return received.filter((m) => (m as { type?: string }).type === 'publish') as Record<
    string,
    unknown
  >[];
}

describe('signaling protocol', () => {
  it('delivers a publish to every subscriber, sender included, with `clients`', async () => {
    const [a, b, c] = await Promise.all([signal(), signal(), signal()]);
    a.send({ type: 'subscribe', topics: ['room-1'] });
    b.send({ type: 'subscribe', topics: ['room-1', 'room-2'] });
    c.send({ type: 'subscribe', topics: ['room-2'] });
    await Promise.all([settle(a), settle(b), settle(c)]);
    const data = { type: 'announce', from: 'peer-a', nested: { list: [1, 2, 3] } };
    a.send({ type: 'publish', topic: 'room-1', data });
    await a.until((r) => published(r).length >= 1);
    await b.until((r) => published(r).length >= 1);
    for (const client of [a, b]) {
      expect(published(client.received)).toEqual([
        { type: 'publish', topic: 'room-1', data, clients: 2 },
      ]);
    }
    await settle(c);
    expect(published(c.received)).toEqual([]);
    for (const client of [a, b, c]) client.close();
  });

  it('refuses a publish nested too deeply to relay, and the peer goes on working', async () => {
    const [a, b] = await Promise.all([signal(), signal()]);
    a.send({ type: 'subscribe', topics: ['deep'] });
    b.send({ type: 'subscribe', topics: ['deep'] });
    await Promise.all([settle(a), settle(b)]);
    // 10 KB of brackets: JSON.parse takes it, writing it back out would overflow the stack.
    const depth = 20_000;
    a.send(`{"type":"publish","topic":"deep","data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    await a.until((r) => r.some((m) => (m as { error?: string }).error === 'bad_message'));
    // Still answering, and still relaying.
    await settle(a);
    a.send({ type: 'publish', topic: 'deep', data: { ok: true } });
    await b.until((r) => published(r).length >= 1);
    expect(published(b.received)).toEqual([
      { type: 'publish', topic: 'deep', data: { ok: true }, clients: 2 },
    ]);
    for (const client of [a, b]) client.close();
  });

  it('answers ping with pong', async () => {
    const a = await signal();
    a.send({ type: 'ping' });
    await a.until((r) => r.length >= 1);
    expect(a.received).toEqual([{ type: 'pong' }]);
    a.close();
  });

  it('stops delivering after unsubscribe and after a subscriber leaves', async () => {
    const [a, b, c] = await Promise.all([signal(), signal(), signal()]);
    for (const client of [a, b, c]) client.send({ type: 'subscribe', topics: ['room-u'] });
    await Promise.all([settle(a), settle(b), settle(c)]);
    b.send({ type: 'unsubscribe', topics: ['room-u'] });
    await settle(b);
    c.close();
    await new Promise((ok) => setTimeout(ok, 100));
    a.send({ type: 'publish', topic: 'room-u', data: 'x' });
    await a.until((r) => published(r).length >= 1);
    expect(published(a.received)[0]).toMatchObject({ clients: 1, data: 'x' });
    await settle(b);
    expect(published(b.received)).toEqual([]);
    // A publisher need not be subscribed (as with y-webrtc's server).
    b.send({ type: 'publish', topic: 'room-u', data: 'from-b' });
    await a.until((r) => published(r).length >= 2);
    expect(published(a.received)[1]).toMatchObject({ clients: 1, data: 'from-b' });
    a.close();
    b.close();
  });

  it("works with y-webrtc's own signaling client", async () => {
    const globals = globalThis as { WebSocket?: unknown };
    globals.WebSocket ??= WebSocket;
    const { SignalingConn } = await import('y-webrtc');
    const conn = new SignalingConn(wsUrl(relay.url, '/signal'));
    const messages: unknown[] = [];
    conn.on('message', (m: unknown) => {
      messages.push(m);
    });
    const connected = new Promise<void>((ok, fail) => {
      conn.on('connect', () => {
        ok();
      });
      setTimeout(() => {
        fail(new Error('SignalingConn did not connect'));
      }, 5000);
    });
    const other = await signal();
    try {
      await connected;
      conn.send({ type: 'subscribe', topics: ['yroom'] });
      other.send({ type: 'subscribe', topics: ['yroom'] });
      await settle(other);
      conn.send({ type: 'ping' });
      const deadline = Date.now() + 5000;
      while (!messages.some((m) => (m as { type: string }).type === 'pong')) {
        if (Date.now() > deadline) throw new Error('no pong');
        await new Promise((ok) => setTimeout(ok, 10));
      }
      other.send({ type: 'publish', topic: 'yroom', data: { type: 'announce', from: 'x' } });
      while (!messages.some((m) => (m as { type: string }).type === 'publish')) {
        if (Date.now() > deadline) throw new Error('no publish');
        await new Promise((ok) => setTimeout(ok, 10));
      }
      expect(messages.find((m) => (m as { type: string }).type === 'publish')).toEqual({
        type: 'publish',
        topic: 'yroom',
        data: { type: 'announce', from: 'x' },
        clients: 2,
      });
    } finally {
      conn.destroy();
      other.close();
    }
  });
});

describe('signaling limits', () => {
  it('survives junk: bad JSON, binary, wrong types, unknown types', async () => {
    const a = await signal();
    const junk: (string | Buffer)[] = [
      '{not json',
      '',
      'null',
      '42',
      '[1,2]',
      '{"type":5}',
      '{"type":"subscribe","topics":"room"}',
      '{"type":"subscribe","topics":[1,null,{}]}',
      '{"type":"unsubscribe","topics":7}',
      '{"type":"publish","topic":5,"data":1}',
      '{"type":"publish"}',
      '{"type":"nope"}',
      '{"__proto__":{"type":"ping"}}',
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      Buffer.from('{"type":"ping"'),
    ];
    for (const message of junk) a.ws.send(message);
    await settle(a);
    const errors = a.received.filter((m) => (m as { type?: string }).type === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(10);
    for (const e of errors) expect(e).toMatchObject({ error: expect.any(String) as unknown });
    // Still a working peer.
    a.send({ type: 'subscribe', topics: ['after-junk'] });
    a.send({ type: 'publish', topic: 'after-junk', data: 1 });
    await a.until((r) => published(r).length >= 1);
    expect((await call(relay.url, 'GET', '/health')).status).toBe(200);
    a.close();
  });

  it('closes a connection that sends more than the max payload (1009), nothing else', async () => {
    const a = await signal();
    const b = await signal();
    a.send({ type: 'publish', topic: 't', data: 'x'.repeat(300 * 1024) });
    expect((await a.closedWith()).code).toBe(1009);
    await settle(b);
    b.close();
  });

  it('caps topics per connection', async () => {
    const a = await signal();
    const topics = Array.from({ length: 100 }, (_, i) => `topic-${i}`);
    a.send({ type: 'subscribe', topics });
    await settle(a);
    expect(a.received).toContainEqual(expect.objectContaining({ error: 'too_many_topics' }));
    a.send({ type: 'publish', topic: 'topic-63', data: 'in' });
    a.send({ type: 'publish', topic: 'topic-64', data: 'out' });
    await settle(a);
    expect(published(a.received).map((m) => m.data)).toEqual(['in']);
    a.close();
  });

  it('rate-limits messages per connection', async () => {
    const a = await signal();
    for (let i = 0; i < 400; i++) a.send({ type: 'ping' });
    await a.until((r) => r.some((m) => (m as { error?: string }).error === 'rate_limited'));
    await new Promise((ok) => setTimeout(ok, 200));
    const pongs = a.received.filter((m) => (m as { type?: string }).type === 'pong').length;
    expect(pongs).toBeLessThan(400);
    expect(pongs).toBeGreaterThanOrEqual(200);
    a.close();
  });

  it('drops a peer that stops answering pings', async () => {
    // A raw TCP client: completes the handshake, then never answers anything.
    const socket = connect(tight.port, '127.0.0.1');
    socket.write(
      'GET /signal HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
    });
    const started = Date.now();
    await new Promise<void>((ok) => {
      socket.once('close', () => {
        ok();
      });
    });
    expect(head).toMatch(/^HTTP\/1.1 101/);
    const lived = Date.now() - started;
    expect(lived).toBeGreaterThanOrEqual(200);
    expect(lived).toBeLessThan(3000);
  });

  it('refuses connections over the cap with 503', async () => {
    const url = wsUrl(tight.url, '/signal');
    const open = await Promise.all([WsClient.open(url), WsClient.open(url), WsClient.open(url)]);
    await expect(WsClient.open(url)).rejects.toThrow(/503/);
    for (const client of open) client.close();
    await new Promise((ok) => setTimeout(ok, 100));
    const again = await WsClient.open(url);
    again.close();
  });
});
