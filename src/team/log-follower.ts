/**
 * Following the workspace's intake log on the relay over a WebSocket: backlog first, then live
 * events, always from our own durable cursor. Batches are handed to `onBatch` one at a time;
 * the cursor only moves once `onBatch` has made the batch durable, so closing the tab
 * mid-batch loses nothing and the next follow replays at most that batch (idempotent).
 * (lib0's reconnecting WebSocket client knows nothing of a cursor that moves only once a batch
 * is stored, nor of time passed in; this one is small enough to keep.)
 */
import { ObservableV2 } from 'lib0/observable';
import type { IntakeStatus } from '../contracts/team.ts';
import { realTimers, type Timers } from '../contracts/time.ts';
import type { LiveClientMessage, LiveServerMessage, LogEntry } from '../core/relay-protocol.ts';

/** The part of a WebSocket the follower uses (a fake one in tests). */
export interface Socket {
  onopen: (() => void) | null;
  onmessage: ((msg: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  send(data: string): void;
  close(): void;
}

export interface IntakeOptions {
  relayUrl: string;
  workspaceId: string;
  token: string;
  cursor: number;
  /** Makes a batch durable; the cursor moves past it only once this resolves. */
  onBatch: (entries: LogEntry[], cursor: number) => Promise<void>;
  timers?: Timers;
  /** For the jitter of reconnect delays. */
  random?: () => number;
  connect?: (url: string) => Socket;
}

export interface IntakeEvents {
  status: (status: IntakeStatus, detail: string) => void;
  /** Every entry the relay held when it last said so is stored (true), or may not be (false). */
  caughtUp: (caughtUp: boolean) => void;
  /**
   * The relay trimmed its log beyond this browser's cursor: the snapshot has what is missing.
   * The follower waits, stopped, to be started again from the snapshot's cursor.
   */
  trimmed: () => void;
}

/** Entries stored together at most, when batches queue up behind a write. */
const MAX_BATCH = 2_000;

/** A message of the relay's live log, when it is one (the relay is not trusted). */
function readMessage(text: string): LiveServerMessage | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = data as Partial<Record<string, unknown>> | null;
  if (m?.type === 'error') {
    return {
      type: 'error',
      error: typeof m.error === 'string' ? m.error : 'internal',
      message: typeof m.message === 'string' ? m.message : '',
    };
  }
  if (m?.type !== 'events' || !Array.isArray(m.events) || !Number.isSafeInteger(m.cursor)) {
    return undefined;
  }
  const events = (m.events as Partial<LogEntry>[]).filter(
    (e): e is LogEntry =>
      Number.isSafeInteger(e.seq) && typeof e.id === 'string' && typeof e.sealed === 'string',
  );
  return {
    type: 'events',
    events,
    cursor: m.cursor as number,
    ...(typeof m.more === 'boolean' ? { more: m.more } : {}),
  };
}

export function liveUrl(relayUrl: string): string {
  const url = new URL('/v1/live', relayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class IntakeFollower extends ObservableV2<IntakeEvents> {
  readonly #opts: IntakeOptions;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #open: (url: string) => Socket;
  #cursor: number;
  #socket: Socket | undefined;
  #stopped = false;
  #retry = 0;
  /** The last batch could not be stored. */
  #storing = false;
  #timer: unknown;
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: IntakeOptions) {
    super();
    this.#opts = opts;
    this.#cursor = opts.cursor;
    this.#timers = opts.timers ?? realTimers;
    this.#random = opts.random ?? Math.random;
    this.#open = opts.connect ?? ((url) => new WebSocket(url) as unknown as Socket);
  }

  #status(status: IntakeStatus, detail = ''): void {
    this.emit('status', [status, detail]);
  }

  get cursor(): number {
    return this.#cursor;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#timers.clearTimeout(this.#timer);
    this.#socket?.close();
    this.#socket = undefined;
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#status('connecting');
    let socket: Socket;
    try {
      socket = this.#open(liveUrl(this.#opts.relayUrl));
    } catch (err) {
      this.#status('offline', err instanceof Error ? err.message : String(err));
      this.#reconnectLater();
      return;
    }
    this.#socket = socket;
    let refused = false;
    let failed = false;
    socket.onopen = () => {
      const follow: LiveClientMessage = {
        type: 'follow',
        workspace: this.#opts.workspaceId,
        token: this.#opts.token,
        after: this.#cursor,
      };
      socket.send(JSON.stringify(follow));
    };
    /** Batches received and not yet stored: stored together, as one, while the last one is. */
    let pending: { events: LogEntry[]; cursor: number; more: boolean }[] = [];
    const drain = async (): Promise<void> => {
      while (pending.length && !failed) {
        let count = 0;
        let take = 0;
        while (take < pending.length && (take === 0 || count < MAX_BATCH)) {
          count += pending[take]?.events.length ?? 0;
          take++;
        }
        const batches = pending.slice(0, take);
        pending = pending.slice(take);
        const cursor = batches[batches.length - 1]?.cursor ?? this.#cursor;
        const more = batches[batches.length - 1]?.more ?? true;
        const entries = batches.flatMap((b) => b.events).filter((e) => e.seq > this.#cursor);
        try {
          if (cursor > this.#cursor) await this.#opts.onBatch(entries, cursor);
          this.#cursor = Math.max(this.#cursor, cursor);
          this.emit('caughtUp', [!more]);
          this.#storing = false;
          this.#retry = 0;
        } catch (err) {
          // The rest of this connection's batches are dropped (no gaps): the next connection
          // replays from the durable cursor. A tab whose storage keeps failing must not
          // reconnect four times a second.
          failed = true;
          this.#storing = true;
          this.#status('offline', err instanceof Error ? err.message : String(err));
          socket.close();
        }
      }
    };
    socket.onmessage = (msg) => {
      const data = typeof msg.data === 'string' ? readMessage(msg.data) : undefined;
      if (!data) return;
      if (data.type === 'error') {
        if (data.error === 'log_trimmed') {
          this.#stopped = true;
          this.#status('connecting', 'catching up from the team snapshot');
          this.emit('trimmed', []);
          return;
        }
        refused = data.error === 'unauthorized' || data.error === 'unknown_workspace';
        this.#status(refused ? 'refused' : 'offline', data.message);
        return;
      }
      this.#status('live');
      // A working connection starts the backoff again — unless storing batches is what fails.
      if (!this.#storing) this.#retry = 0;
      const idle = pending.length === 0;
      // A relay that does not say whether more is waiting never lets this browser count as
      // caught up.
      pending.push({ events: data.events, cursor: data.cursor, more: data.more ?? true });
      // Batches are stored strictly in order, one write at a time; those that arrive meanwhile
      // wait and go in together (a write costs much the same for fifty events as for a
      // thousand).
      if (idle) this.#queue = this.#queue.then(drain);
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.emit('caughtUp', [false]);
      if (!refused && !this.#stopped) this.#status('offline');
      this.#reconnectLater();
    };
  }

  #reconnectLater(): void {
    if (this.#stopped) return;
    const delay = Math.min(10_000, 250 * 2 ** this.#retry++) * (0.75 + this.#random() / 2);
    this.#timer = this.#timers.setTimeout(() => {
      // Reconnect only after queued batches finished, so the follow starts at the real cursor.
      void this.#queue.finally(() => {
        this.#connect();
      });
    }, delay);
  }
}
