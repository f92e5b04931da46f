/**
 * The team's encrypted snapshot on the relay: stored durably (readable after kill -9), only for
 * holders of the read token, versioned so one member's upload cannot erase another's, bounded
 * in size, and hostile requests leave the relay answering.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, SnapshotInfo } from '../../src/core/relay-protocol.ts';
import {
  call,
  newWorkspace,
  randomId,
  removeDir,
  spawnRelay,
  stopAllRelays,
  type RelayProcess,
} from './helpers.ts';

const MiB = 1024 * 1024;

async function put(
  base: string,
  workspace: string,
  token: string,
  body: Buffer,
  ifMatch?: string,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(new URL(`/v1/workspaces/${workspace}/snapshot`, base), {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function get(
  base: string,
  workspace: string,
  token: string,
): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(new URL(`/v1/workspaces/${workspace}/snapshot`, base), {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** Sends raw bytes; resolves with the answer's status line. */
function statusLine(base: string, raw: string): Promise<string> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(raw);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        done(text.slice(0, end));
      }
    });
    socket.on('error', fail);
  });
}

function errorOf(body: unknown): string {
  const parsed = Buffer.isBuffer(body) ? (JSON.parse(body.toString()) as unknown) : body;
  return (parsed as ErrorBody).error;
}

describe('team snapshot', () => {
  let relay: RelayProcess;
  const dirs: string[] = [];
  beforeAll(async () => {
    relay = await spawnRelay({ env: { RELAY_QUOTA_BYTES: String(40 * MiB) } });
    dirs.push(relay.dataDir);
  });
  afterAll(async () => {
    await stopAllRelays();
    await Promise.all(dirs.map(removeDir));
  });

  it('stores and returns megabytes byte for byte, one version after another', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const none = await get(relay.url, workspace, token);
    expect(none.status).toBe(404);
    expect(errorOf(none.bytes)).toBe('no_snapshot');

    const first = randomBytes(3 * MiB);
    const stored = await put(relay.url, workspace, token, first);
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual({ version: 1, bytes: first.length } satisfies SnapshotInfo);
    const back = await get(relay.url, workspace, token);
    expect(back.status).toBe(200);
    expect(back.headers.get('x-snapshot-version')).toBe('1');
    expect(back.headers.get('access-control-expose-headers')).toMatch(/X-Snapshot-Version/i);
    expect(Buffer.compare(back.bytes, first)).toBe(0);

    const second = randomBytes(1000);
    expect((await put(relay.url, workspace, token, second, '1')).body).toEqual({
      version: 2,
      bytes: 1000,
    });
    expect(Buffer.compare((await get(relay.url, workspace, token)).bytes, second)).toBe(0);
  });

  it('tells what it holds on HEAD: version and size, no bytes; 404 before any, 401 to strangers', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const head = (secret: string) =>
      fetch(new URL(`/v1/workspaces/${workspace}/snapshot`, relay.url), {
        method: 'HEAD',
        headers: { authorization: `Bearer ${secret}` },
      });
    expect((await head(token)).status).toBe(404);
    await put(relay.url, workspace, token, randomBytes(5000));
    await put(relay.url, workspace, token, randomBytes(1234), '1');
    const res = await head(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-snapshot-version')).toBe('2');
    expect(res.headers.get('content-length')).toBe('1234');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect((await head(randomBytes(32).toString('base64url'))).status).toBe(401);
    const preflight = await fetch(new URL(`/v1/workspaces/${workspace}/snapshot`, relay.url), {
      method: 'OPTIONS',
    });
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/HEAD/);
  });

  it('refuses an upload that does not extend the stored version (409), keeping the newer', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const a = randomBytes(100);
    const b = randomBytes(100);
    expect((await put(relay.url, workspace, token, a, '0')).status).toBe(200);
    expect((await put(relay.url, workspace, token, b, '1')).status).toBe(200);
    // A member who last saw version 1 tries to store over version 2.
    const stale = await put(relay.url, workspace, token, randomBytes(100), '1');
    expect(stale.status).toBe(409);
    expect(errorOf(stale.body)).toBe('snapshot_conflict');
    expect(stale.headers.get('x-snapshot-version')).toBe('2');
    expect(Buffer.compare((await get(relay.url, workspace, token)).bytes, b)).toBe(0);
  });

  it('answers only holders of the read token, and only for known workspaces', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    await put(relay.url, workspace, token, randomBytes(10));
    const wrong = await get(relay.url, workspace, randomBytes(32).toString('base64url'));
    expect(wrong.status).toBe(401);
    const missing = await call(relay.url, 'GET', `/v1/workspaces/${workspace}/snapshot`);
    expect(missing.status).toBe(401);
    const stranger = await put(relay.url, workspace, 'x'.repeat(43), randomBytes(10));
    expect(stranger.status).toBe(401);
    const unknown = await get(relay.url, randomId('ws'), token);
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.bytes)).toBe('unknown_workspace');
  });

  it('refuses an oversized snapshot (413) and one over the quota (507), storing nothing', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    // Announced as 65 MiB: refused from the headers, before any of the body is read.
    const declared = await statusLine(
      relay.url,
      `PUT /v1/workspaces/${workspace}/snapshot HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${token}\r\nContent-Length: ${65 * MiB}\r\n\r\n`,
    );
    expect(declared).toMatch(/^HTTP\/1.1 413/);
    const overQuota = await put(relay.url, workspace, token, randomBytes(41 * MiB));
    expect(overQuota.status).toBe(507);
    expect((await get(relay.url, workspace, token)).status).toBe(404);
    expect((await call(relay.url, 'GET', '/health')).status).toBe(200);
  });

  it('rejects bad versions and empty bodies with clear errors', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    for (const version of ['abc', '-1', '1.5', '"1"', '9'.repeat(30)]) {
      const answer = await put(relay.url, workspace, token, randomBytes(10), version);
      expect(answer.status, version).toBe(400);
      expect(errorOf(answer.body)).toBe('invalid_version');
    }
    const empty = await put(relay.url, workspace, token, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const patch = await call(relay.url, 'PATCH', `/v1/workspaces/${workspace}/snapshot`);
    expect(patch.status).toBe(405);
    const preflight = await call(relay.url, 'OPTIONS', `/v1/workspaces/${workspace}/snapshot`);
    expect(preflight.headers['access-control-allow-methods']).toMatch(/PUT/);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/If-Match/i);
  });

  it('survives aborted uploads and garbage, keeping the last good snapshot', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const good = randomBytes(5000);
    await put(relay.url, workspace, token, good);
    const url = new URL(relay.url);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((done) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `PUT /v1/workspaces/${workspace}/snapshot HTTP/1.1\r\nHost: x\r\n` +
              `Authorization: Bearer ${token}\r\nContent-Length: 100000\r\n` +
              (i % 2 ? 'If-Match: \u0001\r\n' : '') +
              `\r\n${randomBytes(1000 * (i + 1)).toString('latin1')}`,
          );
          // Hang up mid-body.
          setTimeout(() => {
            socket.destroy();
            done();
          }, 20);
        });
        socket.on('error', () => {
          done();
        });
      });
    }
    expect((await call(relay.url, 'GET', '/health')).status).toBe(200);
    expect(Buffer.compare((await get(relay.url, workspace, token)).bytes, good)).toBe(0);
  });

  it('keeps an acknowledged snapshot across kill -9', async () => {
    const crashy = await spawnRelay();
    dirs.push(crashy.dataDir);
    const { workspace, token } = await newWorkspace(crashy.url);
    const data = randomBytes(2 * MiB);
    expect((await put(crashy.url, workspace, token, data)).status).toBe(200);
    await crashy.stop('SIGKILL');
    const again = await spawnRelay({ dataDir: crashy.dataDir });
    const back = await get(again.url, workspace, token);
    expect(back.status).toBe(200);
    expect(Buffer.compare(back.bytes, data)).toBe(0);
    await again.stop();
  });
});
