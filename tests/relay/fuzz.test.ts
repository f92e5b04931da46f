/**
 * Fuzz: a few thousand hostile or broken requests from a seeded PRNG (reproducible: set
 * RELAY_FUZZ_SEED), mixed with slow and half-open clients, WebSocket junk and readers that never
 * read. Every HTTP answer must be a JSON error or a success, never a 5xx; afterwards the relay
 * still works, logged no uncaught error, and its memory stayed bounded.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RELAY_LIMITS } from '../../src/core/relay-protocol.ts';
import {
  call,
  fakeSealed,
  items,
  newWorkspace,
  postIntake,
  prng,
  randomId,
  readAll,
  removeDir,
  rssBytes,
  spawnRelay,
  wsUrl,
  relayForFile,
} from './helpers.ts';

const SEED = Number(process.env.RELAY_FUZZ_SEED ?? 20240611);
const REQUESTS = 3000;
const TIME_BUDGET_MS = 25_000;

const relay = await relayForFile({
  env: { RELAY_RATE_PER_SEC: '500', RELAY_RATE_BURST: '1000', RELAY_CONNECT_BURST: '1000' },
});

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
const int = (rng: Rng, max: number): number => Math.floor(rng() * max);

function randomString(rng: Rng, max = 40): string {
  const alphabets = [
    'abcdefghijklmnopqrstuvwxyz0123456789',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    '{}[]":,\\/.%\u0000\u0001\n\r\t ',
    'éü漢字🙂\u202e\ud800',
  ];
  const alphabet = pick(rng, alphabets);
  let out = '';
  const n = int(rng, max);
  for (let i = 0; i < n; i++) out += alphabet.charAt(int(rng, alphabet.length));
  return out;
}

function randomJson(rng: Rng, depth = 0): unknown {
  const kind = int(rng, depth > 3 ? 5 : 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return pick(rng, [0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, int(rng, 1000)]);
    case 3:
      return randomString(rng);
    case 4:
      return pick(rng, ['s1.AAAA.BBBB.CCCC', fakeSealed(int(rng, 100)), randomId(), '']);
    case 5:
      return Array.from({ length: int(rng, 6) }, () => randomJson(rng, depth + 1));
    default: {
      const keys = ['events', 'id', 'sealed', 'workspace', 'readTokenHash', '__proto__', 'type'];
      const obj: Record<string, unknown> = {};
      for (let i = int(rng, 5); i > 0; i--) {
        obj[rng() < 0.7 ? pick(rng, keys) : randomString(rng, 10)] = randomJson(rng, depth + 1);
      }
      return obj;
    }
  }
}

function randomBytes(rng: Rng, n: number): Buffer {
  const buf = Buffer.alloc(n);
  for (let i = 0; i < n; i++) buf[i] = int(rng, 256);
  return buf;
}

/** A masked client→server WebSocket frame (text or binary), as a browser would send it. */
function wsFrame(payload: Buffer, opcode = 1): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, 0x80 | len])
      : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([head, mask, body]);
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1', () => {
      ok(socket);
    });
    socket.on('error', () => {
      /* the relay may cut hostile sockets */
    });
    socket.once('error', fail);
  });
}

const UPGRADE = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

describe('fuzz', () => {
  it(`survives ${REQUESTS} hostile requests (seed ${SEED}) with bounded memory`, async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const baseline = rssBytes(relay.pid);
    let maxRss = baseline;
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, rssBytes(relay.pid));
    }, 100);
    sampler.unref();
    const held: Socket[] = [];
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    const accepted: string[] = [];

    const check = (what: string, status: number, body: unknown, text: string): void => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status === 0) problems.push(`${what} → ${status} ${text.slice(0, 200)}`);
      if (status >= 400) {
        const b = body as { error?: unknown; message?: unknown } | undefined;
        if (typeof b?.error !== 'string' || typeof b.message !== 'string') {
          problems.push(`${what} → ${status} without a JSON error: ${text.slice(0, 200)}`);
        }
      }
    };

    const operations: ((rng: Rng) => Promise<void>)[] = [
      // Malformed JSON and random bytes.
      async (r) => {
        const body =
          r() < 0.5
            ? randomBytes(r, int(r, 2000))
            : JSON.stringify(randomJson(r)).slice(0, int(r, 200));
        const a = await call(relay.url, 'POST', `/v1/intake/${workspace}`, body);
        check('intake junk', a.status, a.body, a.text);
      },
      // Wrong types in a plausible envelope.
      async (r) => {
        const body = JSON.stringify({
          events: Array.from({ length: int(r, 8) }, () => randomJson(r)),
        });
        const a = await call(relay.url, 'POST', `/v1/intake/${workspace}`, body);
        check('intake types', a.status, a.body, a.text);
      },
      // Huge bodies.
      async (r) => {
        const size = RELAY_LIMITS.maxBodyBytes + int(r, 1024 * 1024);
        const a = await call(
          relay.url,
          'POST',
          `/v1/intake/${workspace}`,
          Buffer.alloc(size, 0x7b),
        );
        check('huge', a.status, a.body, a.text);
        if (a.status !== 413) problems.push(`huge body (${size}) → ${a.status} ${a.text}`);
      },
      // Unknown workspaces, malformed ids.
      async (r) => {
        const id = r() < 0.5 ? randomId('ws') : encodeURIComponent(randomString(r, 70));
        const a = await postIntake(relay.url, id, items(1));
        check('unknown ws', a.status, a.body, a.text);
        if (a.status < 400) problems.push(`unknown workspace ${id} → ${a.status}`);
      },
      // Garbage ciphertext, sometimes well-shaped (accepted: the relay cannot tell).
      async (r) => {
        const events = Array.from({ length: 1 + int(r, 10) }, () => ({
          id: r() < 0.9 ? randomId() : randomString(r, 70),
          sealed:
            r() < 0.5
              ? fakeSealed(int(r, 500))
              : `s1.${randomString(r, 30)}.${randomString(r, 30)}.${randomString(r, 30)}`,
        }));
        const a = await postIntake(relay.url, workspace, events);
        check('garbage sealed', a.status, a.body, a.text);
        if (a.status === 200) accepted.push(...events.map((e) => e.id));
      },
      // Random paths, methods and headers.
      async (r) => {
        const method = pick(r, [
          'GET',
          'POST',
          'PUT',
          'DELETE',
          'PATCH',
          'HEAD',
          'OPTIONS',
          'TRACE',
          'FOO',
        ]);
        const segments = Array.from({ length: int(r, 5) }, () =>
          pick(r, [
            'v1',
            'intake',
            'workspaces',
            'log',
            'mailboxes',
            'status',
            'mailbox_0123456789abcdef',
            workspace,
            '..',
            '%2e%2e',
            '%00',
            encodeURIComponent(randomString(r, 12)),
          ]),
        );
        const query =
          r() < 0.5
            ? `?after=${encodeURIComponent(randomString(r, 8))}&limit=${int(r, 2000) - 5}`
            : '';
        const headers: Record<string, string> = {};
        if (r() < 0.5)
          headers.authorization = pick(r, [
            `Bearer ${token}`,
            'Bearer',
            `Bearer ${randomString(r, 600).replace(/[^\x21-\x7e]/g, 'a')}`,
            'Basic abc',
          ]);
        if (r() < 0.3)
          headers['content-type'] = pick(r, [
            'application/json',
            'text/plain',
            'multipart/form-data; boundary=x',
            'x/y',
          ]);
        if (r() < 0.2)
          headers['x-forwarded-for'] = randomString(r, 30).replace(/[^\x21-\x7e]/g, '1');
        const a = await call(
          relay.url,
          method,
          `/${segments.join('/')}${query}`,
          method === 'GET' || method === 'HEAD' ? undefined : randomString(r, 100),
          headers,
        );
        if (method !== 'HEAD') check(`${method} /${segments.join('/')}`, a.status, a.body, a.text);
        else if (a.status >= 500) problems.push(`HEAD → ${a.status}`);
      },
      // Mailbox posts (team token, junk bodies) and reads (random capabilities).
      async (r) => {
        const mailbox = pick(r, ['mailbox_0123456789abcdef', randomString(r, 70), 'x']);
        const path = `/v1/workspaces/${workspace}/mailboxes/${encodeURIComponent(mailbox)}`;
        const a =
          r() < 0.5
            ? await call(
                relay.url,
                'POST',
                path,
                r() < 0.5
                  ? JSON.stringify({
                      id: r() < 0.7 ? randomId() : randomString(r, 70),
                      sealed:
                        r() < 0.5 ? `h1.${fakeSealed(int(r, 300)).slice(3)}` : randomString(r, 90),
                    })
                  : randomString(r, 200),
                { authorization: `Bearer ${r() < 0.8 ? token : randomString(r, 20) || 'x'}` },
              )
            : await call(relay.url, 'GET', `${path}?after=${int(r, 100) - 3}`, undefined, {
                authorization: `Bearer ${randomString(r, 60).replace(/[^\x21-\x7e]/g, 'a') || 'a'}`,
              });
        check(`mailbox ${path}`, a.status, a.body, a.text);
      },
      // Log reads with valid and invalid cursors.
      async (r) => {
        const after = pick(r, ['0', String(int(r, 10000)), '-1', 'x', '99999999999999999999']);
        const a = await call(
          relay.url,
          'GET',
          `/v1/workspaces/${workspace}/log?after=${after}&limit=${int(r, 1000)}`,
          undefined,
          {
            authorization: `Bearer ${r() < 0.8 ? token : 'nope'}`,
          },
        );
        check('log', a.status, a.body, a.text);
      },
      // Registrations with random bodies.
      async (r) => {
        const body = r() < 0.5 ? JSON.stringify(randomJson(r)) : randomString(r, 200);
        const a = await call(relay.url, 'POST', '/v1/workspaces', body);
        check('register', a.status, a.body, a.text);
      },
      // Raw TCP junk: not HTTP at all, or broken HTTP.
      async (r) => {
        const socket = await rawSocket(relay.port);
        const junk = pick(r, [
          randomBytes(r, int(r, 3000)),
          Buffer.from(`GET /${randomString(r, 20)} HTTP/1.1\r\n${randomString(r, 300)}\r\n\r\n`),
          Buffer.from(`POST /v1/intake/${workspace} HTTP/1.1\r\nContent-Length: -5\r\n\r\n`),
          Buffer.from(
            `POST /v1/intake/${workspace} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
          ),
          Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(20000)}\r\n\r\n`),
        ]);
        socket.write(junk);
        await new Promise((ok) => setTimeout(ok, int(r, 50)));
        socket.destroy();
      },
      // Half-open and slow clients: partial headers or a body that trickles, held open.
      async (r) => {
        const socket = await rawSocket(relay.port);
        if (r() < 0.5) {
          socket.write(
            `POST /v1/intake/${workspace} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"ev`,
          );
        } else {
          socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
        }
        if (held.length < 200) held.push(socket);
        else socket.destroy();
      },
      // WebSocket junk on both endpoints.
      async (r) => {
        const path = pick(r, ['/signal', '/v1/live', '/elsewhere']);
        const ws = new WebSocket(wsUrl(relay.url, path));
        ws.on('error', () => {
          /* refused paths */
        });
        await new Promise<void>((ok) => {
          ws.on('open', () => {
            for (let i = int(r, 10); i > 0; i--) {
              const kind = int(r, 3);
              if (kind === 0) ws.send(randomBytes(r, int(r, 500)));
              else if (kind === 1) ws.send(randomString(r, 300));
              else ws.send(JSON.stringify(randomJson(r)));
            }
            setTimeout(
              () => {
                ws.terminate();
                ok();
              },
              int(r, 50),
            );
          });
          ws.on('close', () => {
            ok();
          });
        });
      },
    ];

    const deadline = Date.now() + TIME_BUDGET_MS;
    let done = 0;
    const worker = async (index: number): Promise<void> => {
      const r = prng(SEED + index);
      while (done < REQUESTS && Date.now() < deadline) {
        done++;
        const op = operations[int(r, operations.length)];
        try {
          await op?.(r);
        } catch (err) {
          // Client-side errors (the relay cut a hostile connection) are fine; a dead relay is not.
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ECONNREFUSED') problems.push(`relay refused connections: ${String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, i) => worker(i)));

    // While the half-open clients are still held, the relay answers promptly.
    const started = Date.now();
    const health = await call(relay.url, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    for (const socket of held) socket.destroy();
    clearInterval(sampler);

    expect(problems).toEqual([]);
    expect(done).toBeGreaterThanOrEqual(Math.min(REQUESTS, 1000));
    expect(health.body).toMatchObject({ ok: true, errors: 0 });
    expect(relay.stderr()).not.toMatch(/uncaught/);
    // Everything the fuzz got acknowledged is there, once.
    const log = await readAll(relay.url, workspace, token);
    const ids = new Set(log.map((e) => e.id));
    expect(ids.size).toBe(log.length);
    for (const id of accepted) expect(ids.has(id)).toBe(true);
    console.log(
      `fuzz: ${done} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `RSS ${Math.round(baseline / 1e6)} → max ${Math.round(maxRss / 1e6)} MB`,
    );
    expect(maxRss - baseline).toBeLessThan(150 * 1024 * 1024);
  });

  it('keeps memory bounded while live readers stop reading', async () => {
    const fast = await spawnRelay({
      env: { RELAY_RATE_PER_SEC: '1000000', RELAY_RATE_BURST: '1000000' },
    });
    try {
      const { workspace, token } = await newWorkspace(fast.url);
      // Four followers that never read their socket, and one that reads normally.
      const stalled: Socket[] = [];
      for (let i = 0; i < 4; i++) {
        const socket = await rawSocket(fast.port);
        socket.write(UPGRADE('/v1/live'));
        const follow = { type: 'follow', workspace, token, after: 0 };
        socket.write(wsFrame(Buffer.from(JSON.stringify(follow))));
        socket.pause();
        stalled.push(socket);
      }
      const reader = new WebSocket(wsUrl(fast.url, '/v1/live'));
      let received = 0;
      reader.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString()) as { events?: unknown[] };
        received += m.events?.length ?? 0;
      });
      await new Promise((ok) => reader.once('open', ok));
      reader.send(JSON.stringify({ type: 'follow', workspace, token, after: 0 }));

      const baseline = rssBytes(fast.pid);
      let maxRss = baseline;
      const sampler = setInterval(() => {
        maxRss = Math.max(maxRss, rssBytes(fast.pid));
      }, 50);
      sampler.unref();
      // ~70 MB of events (1.2 KB sealed each): buffered for four readers that would be 280 MB.
      const total = 60_000;
      const writers = Array.from({ length: 4 }, async () => {
        for (let i = 0; i < total / 40 / 4; i++) {
          const answer = await postIntake(fast.url, workspace, items(40, 800));
          expect(answer.status).toBe(200);
        }
      });
      await Promise.all(writers);
      const deadline = Date.now() + 20_000;
      while (received < total && Date.now() < deadline)
        await new Promise((ok) => setTimeout(ok, 50));
      clearInterval(sampler);
      expect(received).toBe(total);
      expect((await readAll(fast.url, workspace, token)).length).toBe(total);
      console.log(
        `stalled readers: RSS ${Math.round(baseline / 1e6)} → max ${Math.round(maxRss / 1e6)} MB`,
      );
      expect(maxRss - baseline).toBeLessThan(120 * 1024 * 1024);
      for (const socket of stalled) socket.destroy();
      reader.terminate();
      expect(fast.stderr()).not.toMatch(/uncaught/);
    } finally {
      await fast.stop();
      await removeDir(fast.dataDir);
    }
  });
});
