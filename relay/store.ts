/**
 * What the relay keeps, and how its nodes hear of each other's writes: one interface, two
 * stores. The embedded SQLite store (sqlite-store.ts) is one relay process on one machine; the
 * Redis store (redis-store.ts) lets several relay processes share one Redis, each taking any
 * client. Both answer only once a write is durable, and both give every log the same cursors:
 * integer seqs, strictly increasing within a log, never reused.
 *
 * A log is named `w<wid>` (a workspace's intake log) or `m<wid>/<mailbox>` (a visitor's
 * mailbox). Entries newly durable in a log reach `onEntries` listeners, whichever node wrote
 * them, for the logs this node watches (the SQLite store tells of every log).
 */
import type { IntakeItem, LogEntry } from '../src/core/relay-protocol.ts';

export interface WorkspaceRow {
  wid: number;
  id: string;
  readTokenHash: string;
  events: number;
  bytes: number;
  /** Entries up to this seq are trimmed: readers behind it load the snapshot. */
  trimmedThrough: number;
  /** The team secret's number (see `rotate`). */
  epoch: number;
}

/** Trimmed entries per step: a large trim never holds other requests for long. */
export const TRIM_CHUNK = 2_000;
/** A trimmed entry's id is kept this long (well past any widget's retries), then it goes. */
export const KEEP_TRIMMED_IDS_MS = 30 * 86_400_000;

/** One intake request waiting for the group commit. */
export interface PendingWrite {
  wid: number;
  events: IntakeItem[];
}

export type WriteResult =
  | { ok: true; accepted: number; duplicates: number; entries: LogEntry[] }
  | { ok: false; error: 'quota_exceeded' | 'unknown_workspace' };

export interface Quota {
  events: number;
  bytes: number;
}

/** Bytes an event counts for against the quota. */
export function eventBytes(item: IntakeItem): number {
  return item.id.length + item.sealed.length;
}

export type RegisterResult = 'created' | 'exists' | 'conflict';

export type LogPageResult = { entries: LogEntry[]; more: boolean } | { trimmedThrough: number };

export type SnapshotResult =
  | { ok: true; version: number }
  | { ok: false; current: number }
  | { ok: false; trimmedThrough: number };

export type MailResult = { ok: true; entry: LogEntry | undefined } | { ok: false };

/**
 * A page of a log from its rows in seq order (up to `limit + 1` of them): at most `limit`
 * entries and about `maxBytes` of sealed data, always at least one (a reader never gets stuck).
 */
export function pageOf(
  rows: Iterable<LogEntry>,
  limit: number,
  maxBytes: number,
): { entries: LogEntry[]; more: boolean } {
  const entries: LogEntry[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (entries.length >= limit || (entries.length > 0 && bytes + row.sealed.length > maxBytes)) {
      return { entries, more: true };
    }
    entries.push(row);
    bytes += row.sealed.length + row.id.length;
  }
  return { entries, more: false };
}

/** The store cannot be reached (Redis is down): answered 503, never acknowledged. */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/** The store is out of room (disk, or Redis's memory): answered 507. */
export class StoreFull extends Error {
  override name = 'StoreFull';
}

/** A log's name: a workspace's intake log, or a visitor's mailbox. */
export const logName = (wid: number, mailbox?: string): string =>
  mailbox === undefined ? `w${wid}` : `m${wid}/${mailbox}`;

export type EntriesListener = (log: string, entries: LogEntry[]) => void;

export interface Store {
  /** Whether figures such as `counts` are the whole cluster's (Redis) or this node's. */
  readonly shared: boolean;

  workspace(id: string): Promise<WorkspaceRow | undefined>;
  register(id: string, readTokenHash: string): Promise<RegisterResult>;
  /** Writes a group of intake requests; resolves once they are durable. */
  commit(writes: PendingWrite[]): Promise<WriteResult[]>;
  /**
   * Log entries of a workspace after `after`, ascending: at most `limit` entries and about
   * `maxBytes` of sealed data (always at least one entry, so a reader never gets stuck).
   */
  readLog(wid: number, after: number, limit: number, maxBytes: number): Promise<LogPageResult>;

  readWidgetSettings(wid: number): Promise<string | undefined>;
  writeWidgetSettings(wid: number, body: string): Promise<void>;

  readSnapshot(wid: number): Promise<{ version: number; data: Buffer } | undefined>;
  /**
   * Replaces the workspace's snapshot, durably, unless `ifMatch` names another version than the
   * stored one (someone stored a newer one meanwhile), or it covers less than the log is
   * trimmed. The old one stays readable until then.
   */
  writeSnapshot(
    wid: number,
    data: Buffer,
    ifMatch: number | undefined,
    covers: number,
  ): Promise<SnapshotResult>;

  /**
   * Switches the workspace to a new team secret's read token, durably, if it is still at the
   * secret before it: false when another change got there first. The chain that proved the
   * change is kept for members holding the token it replaced.
   */
  rotate(
    workspace: WorkspaceRow,
    to: { epoch: number; tokenHash: string; chain: string },
  ): Promise<boolean>;
  /** The change that replaced a token (by its hash), if any. */
  rotationFor(
    wid: number,
    tokenHash: string,
  ): Promise<{ epoch: number; chain: string } | undefined>;

  /** Workspaces whose log can be trimmed further (after a restart, say). */
  trimmable(): Promise<number[]>;
  /**
   * Trims the next chunk of a workspace's log: the sealed boxes of entries the stored snapshot
   * covers go (their ids stay a while, see KEEP_TRIMMED_IDS_MS), and the quota totals with
   * them. At most TRIM_CHUNK entries: true while there is more to do.
   */
  trimStep(wid: number): Promise<boolean>;

  /**
   * Stores a team reply in a visitor's mailbox, durably. Not `ok` when the mailbox already
   * holds `max` entries; no entry when this id is already there.
   */
  writeMail(wid: number, mailbox: string, item: IntakeItem, max: number): Promise<MailResult>;
  /** A mailbox's entries after `after`, ascending. */
  readMail(
    wid: number,
    mailbox: string,
    after: number,
    limit: number,
  ): Promise<{ entries: LogEntry[]; more: boolean }>;

  counts(): Promise<{ workspaces: number; events: number; eventBytes: number }>;

  /**
   * This node follows the log from `from` on (a live follower has caught up to there): newly
   * durable entries reach the listeners. Answers how far the store has told of this log
   * already — past `from`, the follower missed entries and must read on first.
   */
  watch(log: string, from: number): number;
  /** No follower of the log is left on this node. */
  unwatch(log: string): void;
  onEntries(listener: EntriesListener): void;

  /** Whether any member's app follows the workspace's log, on any node. */
  following(wid: number): Promise<boolean>;
  /** The workspace's team secret changed (on any node): its followers must go. */
  onRotated(listener: (wid: number) => void): void;

  /** Passes a signaling frame to the other nodes' subscribers of the topic. */
  publishSignal(topic: string, frame: string): void;
  onSignal(listener: (topic: string, frame: string) => void): void;

  close(): Promise<void>;
}
