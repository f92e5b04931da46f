/**
 * A workspace's log and snapshot, for its members: the intake log page by page, and the
 * encrypted snapshot that lets a member load without replaying the whole log.
 */
import { RELAY_LIMITS, type SnapshotInfo } from '../src/core/relay-protocol.ts';
import {
  logPage,
  logTrimmed,
  quotaFull,
  workspaceAccess,
  type Handler,
  type Resources,
  type RouteContext,
} from './access.ts';
import { CORS_HEADERS, HttpError, intParam, readBody, sendJson } from './http.ts';
import { Busy } from './intake.ts';
import { MemoryBudget } from './limits.ts';
import type { Store } from './store.ts';

/** Sealed bytes per HTTP log page (the page also stops at `limit` entries). */
const LOG_PAGE_BYTES = 1024 * 1024;
/** How long a snapshot upload waits for room in the memory budget before 503 `busy`. */
const SNAPSHOT_WAIT_MS = 5_000;

export function logRoutes(ctx: RouteContext): Resources {
  const { store, options, trimmer } = ctx;
  const { authorize } = workspaceAccess(ctx);

  const readLog: Handler = async ({ req, res, id, url }) => {
    const workspace = await authorize(req, id);
    const after = intParam(url, 'after', 0);
    if (after === undefined) {
      throw new HttpError(400, 'invalid_cursor', '"after" must be a non-negative integer');
    }
    const limit = intParam(url, 'limit', RELAY_LIMITS.maxLogPage);
    if (limit === undefined || limit < 1) {
      throw new HttpError(400, 'invalid_limit', '"limit" must be a positive integer');
    }
    const page = await store.readLog(
      workspace.wid,
      after,
      Math.min(limit, RELAY_LIMITS.maxLogPage),
      LOG_PAGE_BYTES,
    );
    if ('trimmedThrough' in page) throw logTrimmed(page.trimmedThrough);
    sendJson(res, 200, logPage(page, after));
  };

  const readSnapshot: Handler = async ({ req, res, id }) => {
    const workspace = await authorize(req, id);
    const snapshot = await store.readSnapshot(workspace.wid);
    if (!snapshot) throw new HttpError(404, 'no_snapshot', 'the team has stored no snapshot yet');
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'application/octet-stream',
      'content-length': String(snapshot.data.length),
      'cache-control': 'no-store',
      'x-snapshot-version': String(snapshot.version),
    });
    res.end(snapshot.data);
  };

  /** What the snapshot uploads in progress hold (see `snapshotMemoryBytes`). */
  const snapshotMemory = new MemoryBudget(options.snapshotMemoryBytes);
  const writeSnapshot: Handler = async ({ req, res, id }) => {
    const workspace = await authorize(req, id);
    const ifMatch = req.headers['if-match'];
    let extends_: number | undefined;
    if (ifMatch !== undefined) {
      extends_ = /^\d{1,15}$/.test(ifMatch) ? Number(ifMatch) : NaN;
      if (!Number.isSafeInteger(extends_)) {
        throw new HttpError(400, 'invalid_version', 'If-Match must be a snapshot version number');
      }
    }
    const coversHeader = req.headers['x-snapshot-covers'];
    const covers =
      coversHeader === undefined
        ? 0
        : typeof coversHeader === 'string' && /^\d{1,15}$/.test(coversHeader)
          ? Number(coversHeader)
          : NaN;
    if (!Number.isSafeInteger(covers)) {
      throw new HttpError(400, 'invalid_cursor', 'X-Snapshot-Covers must be a log seq');
    }
    // Held in memory while it arrives: only so many bytes of uploads at once.
    const declared = Number(req.headers['content-length']);
    const reserved =
      Number.isSafeInteger(declared) && declared >= 0
        ? Math.min(declared, RELAY_LIMITS.maxSnapshotBytes)
        : RELAY_LIMITS.maxSnapshotBytes;
    // The body waits unread (the client is held back by TCP) until there is room for it.
    req.pause();
    if (!(await snapshotMemory.reserve(reserved, SNAPSHOT_WAIT_MS))) {
      throw new Busy('other snapshot uploads are in progress: retry shortly');
    }
    let result: Awaited<ReturnType<Store['writeSnapshot']>>;
    let body: Buffer;
    try {
      body = await readBody(req, RELAY_LIMITS.maxSnapshotBytes);
      if (body.length === 0) throw new HttpError(400, 'invalid_body', 'the snapshot is empty');
      if (workspace.bytes + body.length > options.quotaBytes) throw quotaFull();
      result = await store.writeSnapshot(workspace.wid, body, extends_, covers);
    } finally {
      snapshotMemory.release(reserved);
    }
    if (!result.ok && 'current' in result) {
      throw new HttpError(
        409,
        'snapshot_conflict',
        `the relay holds version ${result.current}: merge it and store again`,
        { 'x-snapshot-version': String(result.current) },
      );
    }
    if (!result.ok) {
      throw new HttpError(
        409,
        'snapshot_behind',
        `the log is trimmed through ${String(result.trimmedThrough)}: a snapshot must cover at least that far`,
        { 'x-log-trimmed-through': String(result.trimmedThrough) },
      );
    }
    trimmer.queue(workspace.wid);
    const answer: SnapshotInfo = { version: result.version, bytes: body.length };
    sendJson(res, 200, answer);
  };

  return {
    log: { GET: readLog },
    snapshot: {
      GET: readSnapshot,
      // The same answer without the body (Node sends none for HEAD): version and size.
      HEAD: readSnapshot,
      PUT: writeSnapshot,
    },
  };
}
