/**
 * The shared store (see store.ts): several relay nodes over one Redis (`RELAY_REDIS_URL`).
 * Durable when Redis runs with `appendonly yes` and `appendfsync always`: Redis answers a write
 * once it is fsynced, and nothing is acknowledged before Redis answered.
 *
 * Keys (all under `cl:`):
 * - `ws:<id>` hash: wid, hash (read token's), events, bytes (quota totals), trimmed, epoch;
 *   `wsid:<wid>` the id back; `wid` the counter that numbers workspaces.
 * - `log:<wid>` stream: the intake log. Each entry's stream id is `<seq>-0`, seq taken from one
 *   counter (`seq`) inside the same script as the append, so cursors are integers, as with the
 *   embedded store. `ids:<wid>` sorted set: every event id appended (score +inf), the dedup
 *   set; once its entry is trimmed its score is the time of trimming, and it goes 30 days on.
 * - `snap:<wid>` hash: v (version), d (data), c (covers). `trimmable` set: wids to trim.
 * - `widget:<wid>` string; `rot:<wid>` hash: replaced token hash → "epoch\nchain".
 * - `mail:<wid>:<mailbox>` stream and `mailids:<wid>:<mailbox>` set.
 * - `counts` hash: workspaces, events, bytes (cluster-wide, for /health).
 * - `nodes` sorted set: node id → last heartbeat; `following:<node>` set: the wids whose log
 *   that node's members follow (for the widget's "team online"), expiring with the node.
 * - `wake:<node>` stream: written to interrupt the node's blocking read when it watches more.
 *
 * Every script checks and writes in one step (Redis runs a script alone), so concurrent nodes
 * neither race nor overshoot a quota. One blocking `XREAD` loop per node tails the logs its
 * followers watch, whichever node appended to them; signaling frames and changes of team
 * secret travel between nodes on the `bus` channel (a node drops its own echo).
 */
import { randomBytes } from 'node:crypto';
import { createClient, RESP_TYPES, type RedisClientType } from 'redis';
import type { IntakeItem, LogEntry } from '../src/core/relay-protocol.ts';
import { SCRIPTS } from './redis-scripts.ts';
import {
  KEEP_TRIMMED_IDS_MS,
  logName,
  pageOf,
  StoreFull,
  StoreUnavailable,
  TRIM_CHUNK,
  type EntriesListener,
  type LogPageResult,
  type MailResult,
  type PendingWrite,
  type Quota,
  type RegisterResult,
  type SnapshotResult,
  type Store,
  type WorkspaceRow,
  type WriteResult,
} from './store.ts';

const P = 'cl:';
/** A node counts as alive this long after its last heartbeat. */
const NODE_TTL_MS = 30_000;
const HEARTBEAT_MS = 10_000;
/** Entries per blocking read of the tail, per log. */
const TAIL_COUNT = 500;

type ScriptName = keyof typeof SCRIPTS;
type Reply = string | number | null | Buffer | Reply[];

/** A stream entry as Redis answers it: `[id, [field, value, …]]`. */
function entryOf(raw: Reply): LogEntry {
  const [id, fields] = raw as [string, string[]];
  const field = (name: string): string => fields[fields.indexOf(name) + 1] ?? '';
  return {
    seq: Number(id.slice(0, id.indexOf('-'))),
    id: field('i'),
    sealed: field('s'),
    receivedAt: Number(field('r')),
  };
}

/** What a Redis failure means for the client: a full Redis, or one that cannot be reached. */
function storeError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (/^OOM /.test(message)) return new StoreFull('the relay store (Redis) is out of memory');
  if (err instanceof StoreUnavailable || err instanceof StoreFull) return err;
  return new StoreUnavailable(`the relay store (Redis) is unreachable: ${message}`);
}

type Client = RedisClientType<
  Record<string, never>,
  Record<string, never>,
  Record<string, never>,
  2
>;

export class RedisStore implements Store {
  readonly shared = true;
  /** This node's name in the cluster. */
  readonly node = randomBytes(6).toString('base64url');
  readonly #quota: Quota;
  readonly #client: Client;
  /** A blocking read holds its connection: the tail has its own. */
  readonly #tail: Client;
  readonly #bus: Client;
  readonly #shas = new Map<ScriptName, string>();
  readonly #listeners: EntriesListener[] = [];
  readonly #rotated: ((wid: number) => void)[] = [];
  readonly #signals: ((topic: string, frame: string) => void)[] = [];
  /** Logs watched here, with the last seq the tail told of. */
  readonly #watched = new Map<string, number>();
  #wakeId = '0-0';
  #closed = false;
  #tailing: Promise<void> = Promise.resolve();
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  private constructor(url: string, quota: Quota) {
    this.#quota = quota;
    const client = createClient({
      url,
      RESP: 2,
      // While Redis is away a command fails at once (answered 503) instead of waiting.
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) },
    }) as unknown as Client;
    client.on('error', () => {
      // Reconnects on its own; each command in the meantime fails with StoreUnavailable.
    });
    this.#client = client;
    this.#tail = client.duplicate();
    this.#tail.on('error', () => undefined);
    this.#bus = client.duplicate();
    this.#bus.on('error', () => undefined);
  }

  /** Connects (waiting for Redis at start), loads the scripts and starts tailing. */
  static async open(url: string, quota: Quota): Promise<RedisStore> {
    const store = new RedisStore(url, quota);
    await Promise.all([store.#client.connect(), store.#tail.connect(), store.#bus.connect()]);
    await store.#loadScripts();
    await store.#bus.subscribe(`${P}bus`, (message) => {
      store.#heard(message);
    });
    await store.#beat();
    store.#heartbeat = setInterval(() => {
      store.#beat().catch(() => undefined);
    }, HEARTBEAT_MS);
    store.#heartbeat.unref();
    store.#tailing = store.#tailLoop();
    return store;
  }

  async #loadScripts(): Promise<void> {
    for (const [name, body] of Object.entries(SCRIPTS) as [ScriptName, string][]) {
      this.#shas.set(name, await this.#client.sendCommand<string>(['SCRIPT', 'LOAD', body]));
    }
  }

  async #command<T extends Reply>(args: (string | Buffer)[]): Promise<T> {
    try {
      return await this.#client.sendCommand<T>(args);
    } catch (err) {
      throw storeError(err);
    }
  }

  /** Runs a script (loaded again when Redis restarted without it). */
  async #script<T extends Reply>(
    name: ScriptName,
    keys: string[],
    args: (string | number | Buffer)[],
  ): Promise<T> {
    const argv = args.map((a) => (typeof a === 'number' ? String(a) : a));
    const run = (): Promise<T> =>
      this.#client.sendCommand<T>([
        'EVALSHA',
        this.#shas.get(name) ?? '',
        String(keys.length),
        ...keys,
        ...argv,
      ]);
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw storeError(err);
      try {
        await this.#loadScripts();
        return await run();
      } catch (again) {
        throw storeError(again);
      }
    }
  }

  async workspace(id: string): Promise<WorkspaceRow | undefined> {
    const raw = await this.#command<string[]>([
      'HMGET',
      `${P}ws:${id}`,
      'wid',
      'hash',
      'events',
      'bytes',
      'trimmed',
      'epoch',
    ]);
    const [wid, hash, events, bytes, trimmed, epoch] = raw;
    if (!wid || !hash) return undefined;
    return {
      wid: Number(wid),
      id,
      readTokenHash: hash,
      events: Number(events),
      bytes: Number(bytes),
      trimmedThrough: Number(trimmed),
      epoch: Number(epoch),
    };
  }

  async register(id: string, readTokenHash: string): Promise<RegisterResult> {
    return this.#script<RegisterResult>(
      'register',
      [`${P}ws:${id}`, `${P}wid`, `${P}counts`],
      [id, readTokenHash, P],
    );
  }

  /** One script per request, all sent at once (Redis fsyncs them together). */
  async commit(writes: PendingWrite[]): Promise<WriteResult[]> {
    const now = Date.now();
    const ids = await Promise.all(writes.map((w) => this.#idOf(w.wid)));
    return Promise.all(
      writes.map(async (write, i): Promise<WriteResult> => {
        const id = ids[i];
        if (id === undefined) return { ok: false, error: 'unknown_workspace' };
        const args: (string | number)[] = [this.#quota.events, this.#quota.bytes, now];
        for (const item of write.events) args.push(item.id, item.sealed);
        const out = await this.#script<(string | number)[]>(
          'append',
          [`${P}ws:${id}`, `${P}log:${write.wid}`, `${P}ids:${write.wid}`, `${P}seq`, `${P}counts`],
          args,
        );
        if (out[0] === 'unknown') return { ok: false, error: 'unknown_workspace' };
        if (out[0] === 'quota') return { ok: false, error: 'quota_exceeded' };
        const entries: LogEntry[] = [];
        for (let k = 1; k + 1 < out.length; k += 2) {
          // ARGV index (1-based, after the three figures) → the event it names.
          const item = write.events[(Number(out[k]) - 4) / 2];
          if (item) {
            entries.push({ seq: Number(out[k + 1]), ...item, receivedAt: now });
          }
        }
        return {
          ok: true,
          accepted: entries.length,
          duplicates: write.events.length - entries.length,
          entries,
        };
      }),
    );
  }

  /** Workspace ids by wid (they never change). */
  readonly #ids = new Map<number, string>();
  async #idOf(wid: number): Promise<string | undefined> {
    let id = this.#ids.get(wid);
    if (id === undefined) {
      const found = await this.#command<string | null>(['GET', `${P}wsid:${wid}`]);
      if (found === null) return undefined;
      id = found;
      this.#ids.set(wid, id);
    }
    return id;
  }

  async readLog(
    wid: number,
    after: number,
    limit: number,
    maxBytes: number,
  ): Promise<LogPageResult> {
    const id = await this.#idOf(wid);
    const trimmedThrough = id
      ? Number(await this.#command<string | null>(['HGET', `${P}ws:${id}`, 'trimmed']))
      : 0;
    if (after < trimmedThrough) return { trimmedThrough };
    const rows = await this.#command<Reply[]>([
      'XRANGE',
      `${P}log:${wid}`,
      `(${after}-0`,
      '+',
      'COUNT',
      String(limit + 1),
    ]);
    return pageOf(rows.map(entryOf), limit, maxBytes);
  }

  async readWidgetSettings(wid: number): Promise<string | undefined> {
    return (await this.#command<string | null>(['GET', `${P}widget:${wid}`])) ?? undefined;
  }

  async writeWidgetSettings(wid: number, body: string): Promise<void> {
    await this.#command(['SET', `${P}widget:${wid}`, body]);
  }

  async readSnapshot(wid: number): Promise<{ version: number; data: Buffer } | undefined> {
    let raw: (Buffer | null)[];
    try {
      raw = await this.#client
        .withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
        .sendCommand<(Buffer | null)[]>(['HMGET', `${P}snap:${wid}`, 'v', 'd']);
    } catch (err) {
      throw storeError(err);
    }
    const [version, data] = raw;
    if (!version || !data) return undefined;
    return { version: Number(version.toString()), data };
  }

  async writeSnapshot(
    wid: number,
    data: Buffer,
    ifMatch: number | undefined,
    covers: number,
  ): Promise<SnapshotResult> {
    const id = await this.#idOf(wid);
    const [outcome, value] = await this.#script<[string, number]>(
      'snapshot',
      [`${P}snap:${wid}`, `${P}ws:${id ?? ''}`, `${P}trimmable`],
      [ifMatch === undefined ? '' : ifMatch, covers, data, wid],
    );
    if (outcome === 'conflict') return { ok: false, current: value };
    if (outcome === 'behind') return { ok: false, trimmedThrough: value };
    return { ok: true, version: value };
  }

  async rotate(
    workspace: WorkspaceRow,
    to: { epoch: number; tokenHash: string; chain: string },
  ): Promise<boolean> {
    const done = await this.#script<number>(
      'rotate',
      [`${P}ws:${workspace.id}`, `${P}rot:${workspace.wid}`],
      [workspace.epoch, to.tokenHash, to.epoch, workspace.readTokenHash, to.chain],
    );
    if (done !== 1) return false;
    // This node's followers go now; the others' when they hear it.
    for (const listener of this.#rotated) listener(workspace.wid);
    await this.#publish({ k: 'r', w: workspace.wid });
    return true;
  }

  async rotationFor(
    wid: number,
    tokenHash: string,
  ): Promise<{ epoch: number; chain: string } | undefined> {
    const raw = await this.#command<string | null>(['HGET', `${P}rot:${wid}`, tokenHash]);
    if (raw === null) return undefined;
    const cut = raw.indexOf('\n');
    return { epoch: Number(raw.slice(0, cut)), chain: raw.slice(cut + 1) };
  }

  async trimmable(): Promise<number[]> {
    return (await this.#command<string[]>(['SMEMBERS', `${P}trimmable`])).map(Number);
  }

  async trimStep(wid: number): Promise<boolean> {
    const id = await this.#idOf(wid);
    if (id === undefined) return false;
    const now = Date.now();
    const more = await this.#script<number>(
      'trim',
      [
        `${P}ws:${id}`,
        `${P}log:${wid}`,
        `${P}ids:${wid}`,
        `${P}snap:${wid}`,
        `${P}trimmable`,
        `${P}counts`,
      ],
      [TRIM_CHUNK, now, now - KEEP_TRIMMED_IDS_MS, wid],
    );
    return more === 1;
  }

  async writeMail(
    wid: number,
    mailbox: string,
    item: IntakeItem,
    max: number,
  ): Promise<MailResult> {
    const now = Date.now();
    const seq = await this.#script<number>(
      'mail',
      [`${P}mail:${wid}:${mailbox}`, `${P}mailids:${wid}:${mailbox}`, `${P}seq`],
      [max, item.id, item.sealed, now],
    );
    if (seq === -1) return { ok: false };
    if (seq === 0) return { ok: true, entry: undefined };
    return { ok: true, entry: { seq, ...item, receivedAt: now } };
  }

  async readMail(
    wid: number,
    mailbox: string,
    after: number,
    limit: number,
  ): Promise<{ entries: LogEntry[]; more: boolean }> {
    const rows = await this.#command<Reply[]>([
      'XRANGE',
      `${P}mail:${wid}:${mailbox}`,
      `(${after}-0`,
      '+',
      'COUNT',
      String(limit + 1),
    ]);
    return { entries: rows.slice(0, limit).map(entryOf), more: rows.length > limit };
  }

  async counts(): Promise<{ workspaces: number; events: number; eventBytes: number }> {
    const [workspaces, events, bytes] = await this.#command<(string | null)[]>([
      'HMGET',
      `${P}counts`,
      'workspaces',
      'events',
      'bytes',
    ]);
    return {
      workspaces: Number(workspaces ?? 0),
      events: Number(events ?? 0),
      eventBytes: Number(bytes ?? 0),
    };
  }

  // ---- the tail: newly durable entries of the logs watched here ----

  watch(log: string, from: number): number {
    const told = this.#watched.get(log);
    if (told !== undefined) return told;
    this.#watched.set(log, from);
    if (log.startsWith('w')) this.#beat().catch(() => undefined);
    // The blocking read in progress does not know this log: wake it.
    this.#command(['XADD', `${P}wake:${this.node}`, 'MAXLEN', '1', '*', 'w', '1']).catch(
      () => undefined,
    );
    return from;
  }

  unwatch(log: string): void {
    this.#watched.delete(log);
    if (log.startsWith('w')) {
      this.#command(['SREM', `${P}following:${this.node}`, log.slice(1)]).catch(() => undefined);
    }
  }

  onEntries(listener: EntriesListener): void {
    this.#listeners.push(listener);
  }

  /** The stream key of a log name (`w<wid>` or `m<wid>/<mailbox>`). */
  static #key(log: string): string {
    if (log.startsWith('w')) return `${P}log:${log.slice(1)}`;
    const [wid, mailbox] = log.slice(1).split('/');
    return `${P}mail:${wid ?? ''}:${mailbox ?? ''}`;
  }

  async #tailLoop(): Promise<void> {
    while (!this.#closed) {
      const logs = [...this.#watched.keys()];
      const keys = [`${P}wake:${this.node}`, ...logs.map((log) => RedisStore.#key(log))];
      const ids = [this.#wakeId, ...logs.map((log) => `${this.#watched.get(log) ?? 0}-0`)];
      let reply: [string, Reply[]][] | null;
      try {
        reply = await this.#tail.sendCommand<[string, Reply[]][] | null>([
          'XREAD',
          'COUNT',
          String(TAIL_COUNT),
          'BLOCK',
          '5000',
          'STREAMS',
          ...keys,
          ...ids,
        ]);
      } catch {
        // Redis is away: read again from the same ids once it is back (nothing is missed).
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      for (const [key, rows] of reply ?? []) {
        const index = keys.indexOf(key);
        if (index === 0) {
          const last = rows[rows.length - 1] as [string] | undefined;
          if (last) this.#wakeId = last[0];
          continue;
        }
        const log = logs[index - 1];
        if (log === undefined || !this.#watched.has(log) || rows.length === 0) continue;
        const entries = rows.map(entryOf);
        const last = entries[entries.length - 1];
        if (last) this.#watched.set(log, Math.max(this.#watched.get(log) ?? 0, last.seq));
        for (const listener of this.#listeners) listener(log, entries);
      }
    }
  }

  // ---- the cluster: who is following, and the bus ----

  /** Says this node is alive and which workspaces' logs its members follow. */
  async #beat(): Promise<void> {
    const following = `${P}following:${this.node}`;
    const wids = [...this.#watched.keys()].filter((l) => l.startsWith('w')).map((l) => l.slice(1));
    await this.#command(['ZADD', `${P}nodes`, String(Date.now()), this.node]);
    await this.#command(['DEL', following]);
    if (wids.length > 0) await this.#command(['SADD', following, ...wids]);
    await this.#command(['PEXPIRE', following, String(NODE_TTL_MS)]);
  }

  async following(wid: number): Promise<boolean> {
    if (this.#watched.has(logName(wid))) return true;
    const alive = await this.#command<string[]>([
      'ZRANGE',
      `${P}nodes`,
      String(Date.now() - NODE_TTL_MS),
      '+inf',
      'BYSCORE',
    ]);
    for (const node of alive) {
      if (node === this.node) continue;
      const member = await this.#command<number>([
        'SISMEMBER',
        `${P}following:${node}`,
        String(wid),
      ]);
      if (member === 1) return true;
    }
    return false;
  }

  onRotated(listener: (wid: number) => void): void {
    this.#rotated.push(listener);
  }

  publishSignal(topic: string, frame: string): void {
    this.#publish({ k: 's', t: topic, f: frame }).catch(() => undefined);
  }

  onSignal(listener: (topic: string, frame: string) => void): void {
    this.#signals.push(listener);
  }

  async #publish(message: { k: 's'; t: string; f: string } | { k: 'r'; w: number }): Promise<void> {
    await this.#command(['PUBLISH', `${P}bus`, JSON.stringify({ n: this.node, ...message })]);
  }

  #heard(text: string): void {
    let message: { n?: string; k?: string; t?: string; f?: string; w?: number };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.n === this.node) return;
    if (message.k === 's' && typeof message.t === 'string' && typeof message.f === 'string') {
      for (const listener of this.#signals) listener(message.t, message.f);
    } else if (message.k === 'r' && typeof message.w === 'number') {
      for (const listener of this.#rotated) listener(message.w);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    await this.#command(['ZREM', `${P}nodes`, this.node]).catch(() => undefined);
    // The blocking read ends on its own within its timeout; destroying ends it now.
    this.#tail.destroy();
    await this.#tailing;
    await Promise.allSettled([this.#client.close(), this.#bus.close()]);
  }
}
