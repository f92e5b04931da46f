/**
 * The live log (`/v1/live`): a member's app follows its workspace's intake log from a cursor;
 * a visitor's widget follows its mailbox the same way (with the mailbox's capability).
 * The backlog is paged from the store; once a follower has caught up, newly durable entries
 * are pushed as the store tells of them (whichever relay node wrote them). Both paths advance
 * one cursor per follower, so the stream is in seq order with no gap and no duplicate across
 * the boundary.
 * A slow reader is never buffered for: above a high-water mark the follower drops back to
 * paging from the database when its socket drains.
 */
import type { WebSocket, RawData } from 'ws';
import {
  RELAY_LIMITS,
  type LiveClientMessage,
  type LiveServerMessage,
  type LogEntry,
  type RelayErrorCode,
} from '../src/core/relay-protocol.ts';
import { MAIL_PAGE, parseFollow } from './live-follow.ts';
import { logName, StoreUnavailable, type LogPageResult, type Store } from './store.ts';
import { SocketSet } from './sockets.ts';
import { checkCapability, checkToken } from './tokens.ts';

/** A page of some log: the intake log of a workspace, or a visitor's mailbox. */
type ReadPage = (after: number, limit: number, bytes: number) => Promise<LogPageResult>;

/** Above this many unsent bytes a follower stops receiving pushes and pages when drained. */
const HIGH_WATER = 512 * 1024;
/** Sealed bytes per `events` message. */
const MESSAGE_BYTES = 256 * 1024;

/** Close code after an error message (policy violation). */
const CLOSE_POLICY = 1008;

function send(ws: WebSocket, message: LiveServerMessage): Promise<void> {
  return new Promise((resolve) => {
    ws.send(JSON.stringify(message), () => {
      resolve();
    });
  });
}

/** What a store failure is called on the socket: `unavailable` while the store is away. */
function storeErrorCode(err: unknown): RelayErrorCode {
  return err instanceof StoreUnavailable ? 'unavailable' : 'internal';
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function fail(ws: WebSocket, error: RelayErrorCode, message: string, code = CLOSE_POLICY): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(JSON.stringify({ type: 'error', error, message } satisfies LiveServerMessage));
  ws.close(code, error);
}

class Follower {
  readonly ws: WebSocket;
  /** Which log: `w<wid>` or `m<wid>/<mailbox>`. */
  readonly log: string;
  readonly #read: ReadPage;
  readonly #store: Store;
  cursor: number;
  /** Caught up: new commits are pushed directly. */
  live = false;
  #paging = false;
  #lastSend: Promise<void> = Promise.resolve();
  /** Settles when the socket closes, so that a wait for a drain that never comes ends too. */
  readonly #closed: Promise<void>;

  constructor(ws: WebSocket, log: string, store: Store, read: ReadPage, after: number) {
    this.ws = ws;
    this.log = log;
    this.#store = store;
    this.#read = read;
    this.#closed = new Promise((resolve) => {
      ws.once('close', () => {
        resolve();
      });
    });
    this.cursor = after;
  }

  #open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Told the client more is waiting: the page that ends the backlog is sent even if empty. */
  #toldMore = false;

  #send(events: LogEntry[], more: boolean): void {
    const last = events[events.length - 1];
    if (last) this.cursor = last.seq;
    this.#toldMore = more;
    this.#lastSend = send(this.ws, { type: 'events', events, cursor: this.cursor, more });
  }

  /** Sends the backlog page by page from the database, then switches to live pushes. */
  async page(first = false): Promise<void> {
    if (this.#paging) return;
    this.#paging = true;
    this.live = false;
    try {
      while (this.#open()) {
        if (this.ws.bufferedAmount > HIGH_WATER) {
          await this.#drained();
          continue;
        }
        const page = await this.#read(this.cursor, RELAY_LIMITS.maxLogPage, MESSAGE_BYTES);
        if (!this.#open()) return;
        if ('trimmedThrough' in page) {
          fail(
            this.ws,
            'log_trimmed',
            `the log is trimmed through ${String(page.trimmedThrough)}: load the snapshot, then follow from its cursor`,
          );
          return;
        }
        // The first message is sent even when empty: it tells the client the follow was
        // accepted and where the log stands.
        if (page.entries.length > 0 || first || (!page.more && this.#toldMore)) {
          this.#send(page.entries, page.more);
        }
        first = false;
        // Caught up, unless the store already told of entries past this page (written while
        // it was read): then those are read first. From here on, every entry the store tells
        // of reaches `push`.
        if (!page.more && this.#store.watch(this.log, this.cursor) <= this.cursor) {
          this.live = true;
          return;
        }
        // A turn of the event loop between pages: a long backlog must not hold other clients'
        // requests (a loopback socket never fills, so the high-water mark alone would not).
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      fail(this.ws, storeErrorCode(err), errorMessage(err), 1011);
    } finally {
      this.#paging = false;
    }
  }

  /** Newly durable entries of this workspace, in seq order. */
  push(entries: LogEntry[]): void {
    if (!this.live || !this.#open()) return;
    if (this.ws.bufferedAmount > HIGH_WATER) {
      this.live = false;
      void this.page();
      return;
    }
    let batch: LogEntry[] = [];
    let bytes = 0;
    for (const entry of entries) {
      if (entry.seq <= this.cursor) continue;
      if (batch.length > 0 && bytes + entry.sealed.length > MESSAGE_BYTES) {
        this.#send(batch, false);
        batch = [];
        bytes = 0;
      }
      batch.push(entry);
      bytes += entry.sealed.length;
    }
    if (batch.length > 0) this.#send(batch, false);
  }

  /** Resolves when what was sent so far has left the process (or the socket closed). */
  async #drained(): Promise<void> {
    await Promise.race([this.#lastSend, this.#closed]);
    if (this.ws.bufferedAmount > HIGH_WATER && this.#open()) {
      // Still full (the last send callback fired but more was queued): wait a little.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

export interface LiveOptions {
  followTimeoutMs: number;
  pingIntervalMs: number;
}

export class LiveHub {
  readonly #store: Store;
  readonly #options: LiveOptions;
  readonly #followers = new Map<string, Set<Follower>>();
  readonly #sockets: SocketSet;

  constructor(store: Store, options: LiveOptions) {
    this.#store = store;
    this.#options = options;
    this.#sockets = new SocketSet(options.pingIntervalMs);
    store.onEntries((log, entries) => {
      this.#push(log, entries);
    });
    store.onRotated((wid) => {
      this.#dropFollowers(wid);
    });
  }

  get connections(): number {
    return this.#sockets.size;
  }

  /**
   * The workspace's read token changed: every member following its log is let go, and must
   * follow again with the new token (a removed member has none).
   */
  #dropFollowers(wid: number): void {
    for (const follower of this.#followers.get(logName(wid)) ?? []) {
      fail(follower.ws, 'unauthorized', 'the team secret changed: follow with the new token');
    }
  }

  /** Whether any member's app follows the workspace's log, here or on another node. */
  async following(wid: number): Promise<boolean> {
    return (this.#followers.get(logName(wid))?.size ?? 0) > 0 || this.#store.following(wid);
  }

  /** Newly durable entries (a workspace's or a mailbox's): pushed to followers caught up. */
  #push(log: string, entries: LogEntry[]): void {
    const followers = this.#followers.get(log);
    if (!followers) return;
    for (const follower of followers) follower.push(entries);
  }

  accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    let follower: Follower | undefined;
    const timeout = setTimeout(() => {
      fail(ws, 'timeout', `send "follow" within ${this.#options.followTimeoutMs} ms`);
    }, this.#options.followTimeoutMs);

    ws.on('close', () => {
      clearTimeout(timeout);
      if (follower) {
        const set = this.#followers.get(follower.log);
        set?.delete(follower);
        if (set?.size === 0) {
          this.#followers.delete(follower.log);
          this.#store.unwatch(follower.log);
        }
      }
    });
    let followed = false;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.#sockets.seen(ws);
      // After `follow`, clients have nothing more to say; extra messages are ignored.
      if (followed) return;
      followed = true;
      clearTimeout(timeout);
      if (isBinary) {
        fail(ws, 'bad_request', 'messages are JSON text');
        return;
      }
      const follow = parseFollow(data);
      if (typeof follow === 'string') {
        fail(ws, 'bad_request', follow);
        return;
      }
      this.#follow(ws, follow).then(
        (started) => {
          follower = started;
        },
        (err: unknown) => {
          fail(ws, storeErrorCode(err), errorMessage(err), 1011);
        },
      );
    });
  }

  /** Checks a `follow` and starts the follower (undefined when refused: the socket is told). */
  async #follow(ws: WebSocket, follow: LiveClientMessage): Promise<Follower | undefined> {
    const store = this.#store;
    const workspace = await store.workspace(follow.workspace);
    if (!workspace) {
      fail(ws, 'unknown_workspace', 'no such workspace on this relay');
      return undefined;
    }
    if (ws.readyState !== ws.OPEN) return undefined;
    const { wid } = workspace;
    let follower: Follower;
    if ('mailbox' in follow) {
      const { mailbox } = follow;
      if (!checkCapability(follow.capability, mailbox)) {
        fail(ws, 'unauthorized', 'wrong mailbox capability');
        return undefined;
      }
      follower = new Follower(
        ws,
        logName(wid, mailbox),
        store,
        (after, limit) => store.readMail(wid, mailbox, after, Math.min(limit, MAIL_PAGE)),
        follow.after,
      );
    } else {
      if (!checkToken(follow.token, workspace.readTokenHash)) {
        fail(ws, 'unauthorized', 'wrong read token');
        return undefined;
      }
      follower = new Follower(
        ws,
        logName(wid),
        store,
        (after, limit, bytes) => store.readLog(wid, after, limit, bytes),
        follow.after,
      );
    }
    let set = this.#followers.get(follower.log);
    if (!set) this.#followers.set(follower.log, (set = new Set()));
    set.add(follower);
    void follower.page(true);
    return follower;
  }

  close(): void {
    this.#sockets.close();
  }

  terminate(): void {
    this.#sockets.terminate();
  }
}
