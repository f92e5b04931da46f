/**
 * The WebSocket connections of one kind (live followers, signaling peers), with a heartbeat:
 * every interval each socket is pinged, and one that did not answer the previous ping (or send
 * anything) is dropped. This also frees the memory of clients that stopped reading.
 */
import type { RawData, WebSocket } from 'ws';

export class SocketSet {
  readonly #alive = new Map<WebSocket, boolean>();
  readonly #timer: NodeJS.Timeout;

  constructor(pingIntervalMs: number) {
    this.#timer = setInterval(() => {
      this.#beat();
    }, pingIntervalMs);
    this.#timer.unref();
  }

  get size(): number {
    return this.#alive.size;
  }

  add(ws: WebSocket): void {
    this.#alive.set(ws, true);
    ws.on('pong', () => {
      this.seen(ws);
    });
    ws.on('close', () => {
      this.#alive.delete(ws);
    });
    // A socket error is followed by 'close'; without a listener it would be thrown.
    ws.on('error', () => {
      ws.terminate();
    });
  }

  /** The peer showed signs of life. */
  seen(ws: WebSocket): void {
    if (this.#alive.has(ws)) this.#alive.set(ws, true);
  }

  #beat(): void {
    for (const [ws, alive] of this.#alive) {
      if (!alive) {
        ws.terminate();
        continue;
      }
      this.#alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }

  /** Stops the heartbeat and closes every socket (1001 going away). */
  close(): void {
    clearInterval(this.#timer);
    for (const ws of this.#alive.keys()) ws.close(1001, 'relay shutting down');
  }

  terminate(): void {
    for (const ws of this.#alive.keys()) ws.terminate();
  }
}

/** A message's bytes as text (ws hands over a Buffer, a Buffer list or an ArrayBuffer). */
export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
