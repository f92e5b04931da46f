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

/** Answer to registration: 201 when created, 200 when it already existed with the same hash. */
export interface RegisterResponse {
  workspace: string;
  created: boolean;
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

/**
 * Messages on the live log WebSocket (`/v1/live`). The client sends `follow` once, first; the
 * server answers with `events` messages in seq order (the first one is sent even when empty:
 * it confirms the follow), or with one `error` and closes.
 */
export type LiveClientMessage =
  | { type: 'follow'; workspace: string; token: string; after: number }
  /** A visitor's widget following its mailbox, with the capability the mailbox is named after. */
  | { type: 'follow'; workspace: string; mailbox: string; capability: string; after: number };
export type LiveServerMessage =
  | {
      type: 'events';
      events: LogEntry[];
      cursor: number;
      /** Entries are waiting beyond this message (the backlog is not all sent yet). */
      more?: boolean;
    }
  | { type: 'error'; error: string; message: string };

/** Every error answer, HTTP or WebSocket. `error` is one of RelayErrorCode. */
export interface ErrorBody {
  error: string;
  message: string;
}

/** The `error` codes the relay uses (relay/PROTOCOL.md says when). */
export type RelayErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'invalid_body'
  | 'empty_batch'
  | 'too_many_events'
  | 'invalid_id'
  | 'invalid_sealed'
  | 'sealed_too_large'
  | 'body_too_large'
  | 'invalid_workspace'
  | 'invalid_token_hash'
  | 'invalid_cursor'
  | 'invalid_limit'
  | 'invalid_version'
  | 'no_snapshot'
  | 'no_widget_settings'
  | 'snapshot_conflict'
  | 'snapshot_behind'
  | 'epoch_conflict'
  | 'no_rotation'
  | 'log_trimmed'
  | 'unknown_workspace'
  | 'invalid_mailbox'
  | 'mailbox_full'
  | 'unauthorized'
  | 'workspace_conflict'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'storage_full'
  | 'busy'
  | 'unavailable'
  | 'not_found'
  | 'method_not_allowed'
  | 'headers_too_large'
  | 'timeout'
  | 'too_many_connections'
  | 'internal'
  // signaling only
  | 'bad_json'
  | 'bad_message'
  | 'bad_topic'
  | 'too_many_topics';

/** Signaling (`/signal`), as y-webrtc's client speaks it. */
export type SignalClientMessage =
  | { type: 'subscribe' | 'unsubscribe'; topics: string[] }
  | { type: 'publish'; topic: string; data: unknown }
  | { type: 'ping' };
export type SignalServerMessage =
  | { type: 'publish'; topic: string; data: unknown; clients: number }
  | { type: 'pong' }
  | { type: 'error'; error: string; message: string };

/** Limits the relay enforces; the widget batches within them. */
export const RELAY_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxBatch: 50,
  maxSealedBytes: 8 * 1024,
  maxLogPage: 500,
  /** Replies a visitor's mailbox holds. */
  maxMailbox: 1000,
  /** Largest encrypted team snapshot. */
  maxSnapshotBytes: 64 * 1024 * 1024,
  /** Largest published widget settings (their signed chain: a few entries). */
  maxWidgetBytes: 32 * 1024,
  /** A removal's chain (`POST …/rotate`): the removal with a sealed secret per member. */
  maxChainBytes: 256 * 1024,
} as const;

/** `POST …/mailboxes/:mailbox`: a team reply, sealed to the visitor (see chat-seal.ts). */
export type MailRequest = IntakeItem;
export interface MailResponse {
  /** The reply's place in the mailbox (unset when it was already there). */
  seq?: number;
  duplicate: boolean;
}

/** `GET …/status`: whether any member's app is following the workspace (team online). */
export interface TeamStatus {
  online: boolean;
}

/** Answer to storing a snapshot, and what `GET …/snapshot` says in `x-snapshot-version`. */
export interface SnapshotInfo {
  /** Increases by one with every stored snapshot; `If-Match` names the one an upload extends. */
  version: number;
  bytes: number;
}
