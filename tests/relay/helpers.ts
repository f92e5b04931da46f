/**
 * Test helpers: run the real relay process (tsx relay/main.ts, port 0, a temporary data dir),
 * talk to it over HTTP and WebSocket, and make ids and sealed-looking boxes. No mocks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { WebSocket } from 'ws';
import { spawnRedis, stopAllRedis, type RedisProcess } from './redis.ts';
export { prng } from '../prng.ts';
import type {
  IntakeItem,
  LiveServerMessage,
  LogEntry,
  LogPage,
} from '../../src/core/relay-protocol.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

export interface RelayProcess {
  url: string;
  port: number;
  /** The relay's own node process (the tsx CLI runs it as its child). */
  pid: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /**
   * Stops the relay and waits for it to exit: SIGTERM/SIGINT go to the tsx CLI (which forwards
   * them); SIGKILL goes to the relay process itself, as a crash would.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<RelayProcess>();

/** Kills every relay these helpers started that is still running (for afterAll). */
export async function stopAllRelays(): Promise<void> {
  await Promise.all([...running].map((relay) => relay.stop('SIGKILL')));
}

/** The pid of `parent`'s child process running relay/main.ts (found through /proc). */
function relayChild(parent: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('relay/main.ts')) {
        return Number(name);
      }
    } catch {
      // the process went away while we looked
    }
  }
  return undefined;
}

/** Starts `tsx relay/main.ts` with RELAY_PORT=0 and waits for its "listening" line. */
/** Limits raised for tests that send many requests from one address quickly. */
export const UNLIMITED = {
  RELAY_RATE_PER_SEC: '1000000',
  RELAY_RATE_BURST: '1000000',
  RELAY_READ_RATE_PER_SEC: '1000000',
  RELAY_READ_BURST: '1000000',
};

/**
 * With RELAY_TEST_STORE=redis (the `relay-redis` test project) every relay keeps its store in a
 * real Redis: one per data directory, so a relay started again on the same directory finds
 * what it stored, as with the embedded store.
 */
const REDIS_STORE = process.env.RELAY_TEST_STORE === 'redis';
const redisByDir = new Map<string, RedisProcess>();
if (REDIS_STORE) afterAll(stopAllRedis);

export async function spawnRelay(
  options: { env?: Record<string, string>; dataDir?: string } = {},
): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'relay-test-')));
  const env = { ...options.env };
  if (REDIS_STORE && env.RELAY_REDIS_URL === undefined) {
    let redis = redisByDir.get(dataDir);
    if (!redis) redisByDir.set(dataDir, (redis = await spawnRedis()));
    env.RELAY_REDIS_URL = redis.url;
  }
  const child = spawn(TSX, [join(ROOT, 'relay/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      RELAY_PORT: '0',
      RELAY_HOST: '127.0.0.1',
      RELAY_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const { url, port } = await new Promise<{ url: string; port: number }>((ok, fail) => {
    const timer = setTimeout(() => {
      fail(new Error(`relay did not start: ${out} ${err}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /relay listening on (http:\/\/127\.0\.0\.1:(\d+))\n/.exec(out);
      if (m?.[1] && m[2]) {
        clearTimeout(timer);
        ok({ url: m[1], port: Number(m[2]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`relay exited with ${String(code)}: ${out} ${err}`));
    });
  });
  const pid = child.pid === undefined ? undefined : relayChild(child.pid);
  if (pid === undefined) throw new Error('relay process not found');
  const relay: RelayProcess = {
    url,
    port,
    pid,
    dataDir,
    child,
    stderr: () => err,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((ok) => {
        running.delete(relay);
        if (child.exitCode !== null || child.signalCode !== null) {
          ok();
          return;
        }
        child.once('exit', () => {
          ok();
        });
        if (signal === 'SIGKILL') process.kill(pid, 'SIGKILL');
        else child.kill(signal);
      }),
  };
  running.add(relay);
  return relay;
}

/**
 * The relay a test file shares: started while the file is collected, stopped with every other
 * relay the file started, and its data removed, after the file's tests.
 */
export async function relayForFile(
  options: Parameters<typeof spawnRelay>[0] = {},
): Promise<RelayProcess> {
  const relay = await spawnRelay(options);
  afterAll(async () => {
    await stopAllRelays();
    await removeDir(relay.dataDir);
  });
  return relay;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Resident memory of a process, from /proc/PID/status, in bytes (0 once it has exited). */
export function rssBytes(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

export function randomId(prefix = 'e'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/** A string shaped like `seal()` output (`s1.<b64url>.<b64url>.<b64url>`); opaque to the relay. */
export function fakeSealed(bytes = 200): string {
  const part = (n: number): string => randomBytes(n).toString('base64url');
  return `s1.${part(65)}.${part(12)}.${part(bytes)}`;
}

export function items(n: number, bytes = 200): IntakeItem[] {
  return Array.from({ length: n }, () => ({ id: randomId(), sealed: fakeSealed(bytes) }));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

export const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** One HTTP request; resolves with status, headers and parsed JSON body (if any). */
export function call(
  base: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((ok, fail) => {
    // An explicit length: Node's client sends e.g. an OPTIONS body with no framing at all.
    const length: Record<string, string> =
      body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request(
      new URL(path, base),
      { method, headers: { 'content-type': 'text/plain', ...length, ...headers }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          ok({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

export async function register(base: string, workspace: string, token: string): Promise<Answer> {
  return call(
    base,
    'POST',
    '/v1/workspaces',
    JSON.stringify({ workspace, readTokenHash: sha256Hex(token) }),
    { 'content-type': 'application/json' },
  );
}

/** Registers a fresh workspace; returns its id and read token. */
export async function newWorkspace(base: string): Promise<{ workspace: string; token: string }> {
  const workspace = randomId('ws');
  const token = randomBytes(32).toString('base64url');
  const answer = await register(base, workspace, token);
  if (answer.status !== 201) throw new Error(`register: ${answer.status} ${answer.text}`);
  return { workspace, token };
}

export function postIntake(base: string, workspace: string, events: IntakeItem[]): Promise<Answer> {
  return call(base, 'POST', `/v1/intake/${workspace}`, JSON.stringify({ events }));
}

export async function readPage(
  base: string,
  workspace: string,
  token: string,
  after = 0,
  limit?: number,
): Promise<LogPage> {
  const query = `after=${after}${limit === undefined ? '' : `&limit=${limit}`}`;
  const answer = await call(base, 'GET', `/v1/workspaces/${workspace}/log?${query}`, undefined, {
    authorization: `Bearer ${token}`,
  });
  if (answer.status !== 200) throw new Error(`log: ${answer.status} ${answer.text}`);
  return answer.body as LogPage;
}

/** The whole log after `after`, page by page. */
export async function readAll(
  base: string,
  workspace: string,
  token: string,
  after = 0,
): Promise<LogEntry[]> {
  const all: LogEntry[] = [];
  let cursor = after;
  for (;;) {
    const page = await readPage(base, workspace, token, cursor);
    all.push(...page.events);
    cursor = page.cursor;
    if (!page.more) return all;
  }
}

export function wsUrl(base: string, path: string): string {
  return base.replace(/^http/, 'ws') + path;
}

/** A WebSocket client that queues what it receives, for step-by-step assertions. */
export class WsClient {
  readonly ws: WebSocket;
  readonly received: unknown[] = [];
  closed: { code: number; reason: string } | undefined;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString('utf8'));
      } catch {
        parsed = data.toString('utf8');
      }
      this.received.push(parsed);
      this.#wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
    ws.on('error', () => {
      /* 'close' follows */
    });
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((ok, fail) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const client = new WsClient(ws);
      ws.once('open', () => {
        ok(client);
      });
      ws.once('unexpected-response', (_req, res) => {
        fail(new Error(`upgrade refused: ${String(res.statusCode)}`));
      });
      ws.once('error', fail);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until `done(received)` holds (checked on every message and close). */
  async until(done: (received: unknown[]) => boolean, timeoutMs = 10_000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received)) {
      if (this.closed && !done(this.received)) {
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason})`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((ok) => {
        const timer = setTimeout(ok, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          ok();
        });
      });
    }
    return this.received;
  }

  /** Waits for the socket to close. */
  async closedWith(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('socket did not close');
      await new Promise<void>((ok) => {
        const timer = setTimeout(ok, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          ok();
        });
      });
    }
    return this.closed;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Every `events` entry a live client received so far, in order. */
export function liveEntries(received: unknown[]): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const m of received as LiveServerMessage[]) {
    if (m.type === 'events') entries.push(...m.events);
  }
  return entries;
}
