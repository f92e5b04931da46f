/**
 * Every limit and refusal: body size, batch size, ids, sealed shape and size, malformed bodies,
 * rate limit (429 + Retry-After), quota (507, acknowledged data kept), tokens (401), unknown
 * workspaces (404), conflicts (409), methods and paths, and the live socket's refusals.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_LIMITS } from '../../src/core/relay-protocol.ts';
import {
  call,
  fakeSealed,
  items,
  newWorkspace,
  postIntake,
  randomId,
  readAll,
  removeDir,
  spawnRelay,
  stopAllRelays,
  WsClient,
  wsUrl,
  type Answer,
  type RelayProcess,
} from './helpers.ts';

/** Small rate limit, short follow timeout. */
let relay: RelayProcess;
/** Tiny quotas, no practical rate limit. */
let small: RelayProcess;

beforeAll(async () => {
  [relay, small] = await Promise.all([
    spawnRelay({
      env: { RELAY_RATE_PER_SEC: '5', RELAY_RATE_BURST: '50', RELAY_FOLLOW_TIMEOUT_MS: '500' },
    }),
    spawnRelay({
      env: {
        RELAY_QUOTA_EVENTS: '100',
        RELAY_QUOTA_BYTES: '60000',
        RELAY_RATE_PER_SEC: '100000',
        RELAY_RATE_BURST: '100000',
      },
    }),
  ]);
});
afterAll(async () => {
  await stopAllRelays();
  await Promise.all([removeDir(relay.dataDir), removeDir(small.dataDir)]);
});

function expectError(answer: Answer, status: number, error: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.body).toMatchObject({ error, message: expect.any(String) as unknown });
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
}

/**
 * Starts a body that never ends (chunked, or with a huge Content-Length) and resolves with the
 * status the relay answers while the body is still open: a refusal must not wait for the end.
 */
function postEndless(url: string, headers: Record<string, string>, bytes: number): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', fail);
    req.write(Buffer.alloc(bytes, 0x20));
  });
}

describe('intake limits', () => {
  it('refuses a body over maxBodyBytes with 413, announced or chunked', async () => {
    const { workspace } = await newWorkspace(relay.url);
    const big = JSON.stringify({ events: items(1, 100) }).padEnd(RELAY_LIMITS.maxBodyBytes + 1);
    expectError(
      await call(relay.url, 'POST', `/v1/intake/${workspace}`, big),
      413,
      'body_too_large',
    );
    // Streamed without a length: refused as soon as the limit is passed, body still open.
    const url = `${relay.url}/v1/intake/${workspace}`;
    expect(await postEndless(url, {}, RELAY_LIMITS.maxBodyBytes + 4096)).toBe(413);
    // A huge announced length: refused before reading anything.
    expect(await postEndless(url, { 'content-length': String(1e10) }, 1024)).toBe(413);
    // The relay is fine afterwards.
    expect((await postIntake(relay.url, workspace, items(1))).status).toBe(200);
  });

  it('refuses too many events, empty batches and malformed bodies', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const path = `/v1/intake/${workspace}`;
    expectError(
      await postIntake(relay.url, workspace, items(RELAY_LIMITS.maxBatch + 1, 20)),
      413,
      'too_many_events',
    );
    expectError(await postIntake(relay.url, workspace, []), 400, 'empty_batch');
    expectError(await call(relay.url, 'POST', path, '{not json'), 400, 'invalid_json');
    expectError(await call(relay.url, 'POST', path, ''), 400, 'invalid_json');
    expectError(await call(relay.url, 'POST', path, '[]'), 400, 'invalid_body');
    expectError(await call(relay.url, 'POST', path, 'null'), 400, 'invalid_body');
    expectError(await call(relay.url, 'POST', path, '{"events":{}}'), 400, 'invalid_body');
    expectError(await call(relay.url, 'POST', path, '{"events":[1]}'), 400, 'invalid_body');
    expectError(await call(relay.url, 'POST', path, '{"events":[null]}'), 400, 'invalid_body');
    expect(await readAll(relay.url, workspace, token)).toEqual([]);
  });

  it('refuses bad ids and anything not shaped like a sealed box, storing nothing', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const sealed = fakeSealed();
    for (const id of ['short', 'x'.repeat(65), 'has space 0123456789', 'é'.repeat(20), 42, null]) {
      const body = JSON.stringify({ events: [...items(2), { id, sealed }] });
      expectError(
        await call(relay.url, 'POST', `/v1/intake/${workspace}`, body),
        400,
        'invalid_id',
      );
    }
    const shapes: unknown[] = [
      'hello',
      '',
      's2.AAAA.BBBB.CCCC',
      's1.AAAA.BBBB',
      's1.AAAA.BBBB.CCCC.DDDD',
      's1.AA+A.BBBB.CCCC',
      's1..BBBB.CCCC',
      ' s1.AAAA.BBBB.CCCC',
      12,
      { s1: 'x' },
    ];
    for (const bad of shapes) {
      const body = JSON.stringify({ events: [{ id: randomId(), sealed: bad }] });
      expectError(
        await call(relay.url, 'POST', `/v1/intake/${workspace}`, body),
        400,
        'invalid_sealed',
      );
    }
    const huge = `s1.AAAA.BBBB.${'C'.repeat(RELAY_LIMITS.maxSealedBytes)}`;
    expectError(
      await postIntake(relay.url, workspace, [{ id: randomId(), sealed: huge }]),
      413,
      'sealed_too_large',
    );
    expect(await readAll(relay.url, workspace, token)).toEqual([]);
  });

  it('rate-limits per client and workspace with 429 and Retry-After', async () => {
    const { workspace } = await newWorkspace(relay.url);
    const other = await newWorkspace(relay.url);
    expect((await postIntake(relay.url, workspace, items(50, 20))).status).toBe(200);
    const limited = await postIntake(relay.url, workspace, items(5, 20));
    expectError(limited, 429, 'rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    // Another workspace from the same client has its own bucket.
    expect((await postIntake(relay.url, other.workspace, items(5))).status).toBe(200);
    // After the advertised wait the client may post again.
    await new Promise((ok) => setTimeout(ok, retryAfter * 1000));
    expect((await postIntake(relay.url, workspace, items(5, 20))).status).toBe(200);
  });

  it('refuses writes over the quota with 507, keeping what was acknowledged', async () => {
    const { workspace, token } = await newWorkspace(small.url);
    const first = items(50, 100);
    const second = items(40, 100);
    expect((await postIntake(small.url, workspace, first)).status).toBe(200);
    expect((await postIntake(small.url, workspace, second)).status).toBe(200);
    // 90 stored: a batch of 20 would cross 100, so it is refused whole.
    const crossing = items(20, 100);
    expectError(await postIntake(small.url, workspace, crossing), 507, 'quota_exceeded');
    const fits = items(10, 100);
    expect((await postIntake(small.url, workspace, fits)).status).toBe(200);
    // Full: any further write is refused.
    const refused = await postIntake(small.url, workspace, items(1, 100));
    expectError(refused, 507, 'quota_exceeded');
    expect(refused.headers['retry-after']).toBeDefined();
    const log = await readAll(small.url, workspace, token);
    expect(log.map((e) => e.id)).toEqual([...first, ...second, ...fits].map((e) => e.id));
    // Other workspaces are unaffected.
    const other = await newWorkspace(small.url);
    expect((await postIntake(small.url, other.workspace, items(3))).status).toBe(200);
  });

  it('counts bytes against the quota too', async () => {
    const { workspace, token } = await newWorkspace(small.url);
    // Each event ~8 KB: seven fit in 60,000 bytes, the eighth does not.
    const big = items(7, 5900);
    expect((await postIntake(small.url, workspace, big)).status).toBe(200);
    expectError(await postIntake(small.url, workspace, items(1, 5900)), 507, 'quota_exceeded');
    expect(await readAll(small.url, workspace, token)).toHaveLength(7);
  });
});

describe('workspaces and tokens', () => {
  it('answers 404 for an unknown workspace and 400 for a malformed id', async () => {
    expectError(await postIntake(relay.url, randomId('ws'), items(1)), 404, 'unknown_workspace');
    expectError(await postIntake(relay.url, 'bad!id', items(1)), 400, 'invalid_workspace');
    const log = await call(relay.url, 'GET', `/v1/workspaces/${randomId('ws')}/log`, undefined, {
      authorization: 'Bearer whatever',
    });
    expectError(log, 404, 'unknown_workspace');
  });

  it('answers 401 to a missing, malformed or wrong token', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const path = `/v1/workspaces/${workspace}/log`;
    const missing = await call(relay.url, 'GET', path);
    expectError(missing, 401, 'unauthorized');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    for (const authorization of [`Basic ${token}`, 'Bearer', `Bearer ${token}x`, token]) {
      expectError(
        await call(relay.url, 'GET', path, undefined, { authorization }),
        401,
        'unauthorized',
      );
    }
    const ok = await call(relay.url, 'GET', path, undefined, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
  });
});

describe('HTTP surface', () => {
  it('answers health, 404 for unknown paths and 405 for wrong methods', async () => {
    const health = await call(relay.url, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, uptimeSec: expect.any(Number) as unknown });
    expectError(await call(relay.url, 'GET', '/nope'), 404, 'not_found');
    expectError(
      await call(relay.url, 'GET', '/v1/intake/abcdefghijklmnop'),
      405,
      'method_not_allowed',
    );
    expectError(await call(relay.url, 'DELETE', '/v1/workspaces'), 405, 'method_not_allowed');
    expectError(await call(relay.url, 'POST', '/health'), 405, 'method_not_allowed');
  });
});

describe('live socket refusals', () => {
  it('refuses a wrong token, an unknown workspace and a bad first message', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const cases: [unknown, string][] = [
      [{ type: 'follow', workspace, token: 'wrong', after: 0 }, 'unauthorized'],
      [{ type: 'follow', workspace: randomId('ws'), token, after: 0 }, 'unknown_workspace'],
      [{ type: 'follow', workspace, token, after: -1 }, 'bad_request'],
      [{ type: 'follow', workspace, token, after: '0' }, 'bad_request'],
      [{ type: 'subscribe', topics: ['x'] }, 'bad_request'],
      ['{not json', 'bad_request'],
    ];
    for (const [message, error] of cases) {
      const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
      client.send(message);
      await client.until((r) => r.length >= 1);
      expect(client.received[0]).toMatchObject({ type: 'error', error });
      expect((await client.closedWith()).code).toBe(1008);
    }
    const binary = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    binary.ws.send(Buffer.from([0, 1, 2, 3]));
    await binary.until((r) => r.length >= 1);
    expect(binary.received[0]).toMatchObject({ type: 'error', error: 'bad_request' });
    await binary.closedWith();
  });

  it('closes a live socket that does not follow in time', async () => {
    const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    const started = Date.now();
    expect((await client.closedWith()).code).toBe(1008);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(client.received[0]).toMatchObject({ type: 'error', error: 'timeout' });
  });

  it('rejects WebSocket upgrades on any other path', async () => {
    await expect(WsClient.open(wsUrl(relay.url, '/elsewhere'))).rejects.toThrow(/404/);
    await expect(WsClient.open(wsUrl(relay.url, '/v1/live/x'))).rejects.toThrow(/404/);
  });
});
