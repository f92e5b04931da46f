/**
 * The relay's wire protocol, shared by the widget (intake), the app (log reader) and the relay.
 * Documented for humans in relay/PROTOCOL.md. The relay sees only what is typed here: ids,
 * sealed boxes and cursors — never a readable event.
 */

export const API = 'v1';

/** One sealed widget event as posted to intake and read back from the log. */
export interface IntakeItem {
  /** The event id (random, unique): the relay ignores a second copy of the same id. */
  id: string;
  /** `seal()` output: opaque to the relay. */
  sealed: string;
}

/** Body of `POST /v1/intake/:workspace` (sent as text/plain to avoid a CORS preflight). */
export interface IntakeRequest {
  events: IntakeItem[];
}

/** 200 answer to intake: sent only once every accepted event is durable. */
export interface IntakeResponse {
  accepted: number;
  duplicates: number;
}

/** Body of `POST /v1/workspaces`: registers a workspace and the hash of its read token. */
export interface RegisterRequest {
  workspace: string;
  /** SHA-256 of the read token, hex. The relay never stores the token itself. */
  readTokenHash: string;
}

/** One entry of a workspace's intake log. `seq` is the cursor: strictly increasing. */
export interface LogEntry extends IntakeItem {
  seq: number;
  /** Relay clock, ms since epoch, when the event became durable. */
  receivedAt: number;
}

/** Answer to `GET /v1/workspaces/:workspace/log?after=SEQ&limit=N`. */
export interface LogPage {
  events: LogEntry[];
  /** Cursor to pass as `after` next time (the last seq returned, or `after` when empty). */
  cursor: number;
  /** More entries are waiting beyond this page. */
  more: boolean;
}

/** Messages on the live log WebSocket (`/v1/live`). */
export type LiveClientMessage = { type: 'follow'; workspace: string; token: string; after: number };
export type LiveServerMessage =
  | { type: 'events'; events: LogEntry[]; cursor: number }
  | { type: 'error'; error: string; message: string };

/** Every error answer, HTTP or WebSocket. */
export interface ErrorBody {
  error: string;
  message: string;
}

/** Limits the relay enforces; the widget batches within them. */
export const RELAY_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxBatch: 50,
  maxSealedBytes: 8 * 1024,
  maxLogPage: 500,
} as const;

export const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
