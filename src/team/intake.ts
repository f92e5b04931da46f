/**
 * Intake: the workspace's log of sealed visitor events on the relay.
 *
 * Follows the workspace's intake log on the relay over a WebSocket: backlog first, then live
 * events, always from our own durable cursor. Batches are handed to `onBatch` one at a time;
 * the cursor only moves once `onBatch` has made the batch durable, so closing the tab
 * mid-batch loses nothing and the next follow replays at most that batch (idempotent).
 */
import { checkCaptureEvent, type CaptureEvent } from '../core/capture.ts';
import type { LiveClientMessage, LiveServerMessage, LogEntry } from '../core/relay-protocol.ts';
import { open } from '../core/seal.ts';

export type IntakeStatus = 'connecting' | 'live' | 'offline' | 'refused';

export interface IntakeOptions {
  relayUrl: string;
  workspaceId: string;
  token: string;
  cursor: number;
  onBatch: (entries: LogEntry[], cursor: number) => Promise<void>;
  onStatus: (status: IntakeStatus, detail?: string) => void;
}

export function liveUrl(relayUrl: string): string {
  const url = new URL('/v1/live', relayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class IntakeFollower {
  readonly #opts: IntakeOptions;
  #cursor: number;
  #socket: WebSocket | undefined;
  #stopped = false;
  #retry = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: IntakeOptions) {
    this.#opts = opts;
    this.#cursor = opts.cursor;
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
    clearTimeout(this.#timer);
    this.#socket?.close();
    this.#socket = undefined;
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#opts.onStatus('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(liveUrl(this.#opts.relayUrl));
    } catch (err) {
      this.#opts.onStatus('offline', err instanceof Error ? err.message : String(err));
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
    socket.onmessage = (msg: MessageEvent<unknown>) => {
      if (typeof msg.data !== 'string') return;
      let data: LiveServerMessage;
      try {
        data = JSON.parse(msg.data) as LiveServerMessage;
      } catch {
        return;
      }
      if (data.type === 'error') {
        refused = data.error === 'unauthorized' || data.error === 'unknown_workspace';
        this.#opts.onStatus(refused ? 'refused' : 'offline', data.message);
        return;
      }
      this.#retry = 0;
      this.#opts.onStatus('live');
      const { events, cursor } = data;
      // Batches are applied strictly in order; after a failure the rest of this connection's
      // batches are skipped (no gaps) and the next connection replays from the durable cursor.
      this.#queue = this.#queue.then(async () => {
        if (failed || cursor <= this.#cursor) return;
        try {
          await this.#opts.onBatch(
            events.filter((e) => e.seq > this.#cursor),
            cursor,
          );
          this.#cursor = cursor;
        } catch (err) {
          failed = true;
          this.#opts.onStatus('offline', err instanceof Error ? err.message : String(err));
          socket.close();
        }
      });
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      if (!refused) this.#opts.onStatus('offline');
      this.#reconnectLater();
    };
  }

  #reconnectLater(): void {
    if (this.#stopped) return;
    const delay = Math.min(10_000, 250 * 2 ** this.#retry++) * (0.75 + Math.random() / 2);
    this.#timer = setTimeout(() => {
      // Reconnect only after queued batches finished, so the follow starts at the real cursor.
      void this.#queue.finally(() => {
        this.#connect();
      });
    }, delay);
  }
}

export interface OpenedBatch {
  events: CaptureEvent[];
  /** Envelopes that failed decryption or validation: dropped, never blocking later ones. */
  dropped: { seq: number; reason: 'undecryptable' | 'invalid' }[];
}

/** Opens and validates a batch of sealed envelopes with the workspace's intake key. */
export async function openBoxes(
  key: CryptoKey,
  workspaceId: string,
  entries: LogEntry[],
): Promise<OpenedBatch> {
  const out: OpenedBatch = { events: [], dropped: [] };
  await Promise.all(
    entries.map(async (entry) => {
      let text: string;
      try {
        text = await open(key, entry.sealed, workspaceId);
      } catch {
        out.dropped.push({ seq: entry.seq, reason: 'undecryptable' });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        out.dropped.push({ seq: entry.seq, reason: 'invalid' });
        return;
      }
      const checked = checkCaptureEvent(parsed);
      // The event id inside the box must match the id the relay deduplicated on.
      if (!checked.ok || checked.value.id !== entry.id) {
        out.dropped.push({ seq: entry.seq, reason: 'invalid' });
        return;
      }
      out.events.push(checked.value);
    }),
  );
  return out;
}
