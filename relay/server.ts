/**
 * The relay server: HTTP routes (health, registration, intake, log reads), the two WebSocket
 * endpoints (live log, signaling) and their limits, on one port. `startRelay` is what main.ts,
 * and anything embedding the relay, calls.
 */
import { ID_PATTERN } from '../src/core/names.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import * as v from 'valibot';
import { WebSocketServer } from 'ws';
import {
  RELAY_LIMITS,
  type IntakeResponse,
  type LogEntry,
  type LogPage,
  type MailResponse,
  type TeamStatus,
  type RegisterResponse,
  type RelayErrorCode,
  type SnapshotInfo,
} from '../src/core/relay-protocol.ts';
import { check, says, shape } from './checks.ts';
import { checkOptions, type RelayOptions } from './config.ts';
import {
  BodyTooLarge,
  CORS_HEADERS,
  clientIp,
  readBody,
  refuseBody,
  rejectSocket,
  sendError,
  sendJson,
  sendPreflight,
} from './http.ts';
import { Busy, GroupCommitter, parseIntake, SEALED_SHAPE } from './intake.ts';
import { ConnectionShare, MemoryBudget, RateLimiter, retryAfterSeconds } from './limits.ts';
import { LiveHub } from './live.ts';
import { MAIL_PAGE } from './live-follow.ts';
import { SignalingHub } from './signaling.ts';
import { RedisStore } from './redis-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { StoreFull, StoreUnavailable, type Store, type WorkspaceRow } from './store.ts';
import { Trimmer } from './trimmer.ts';
import { verifyRemoval } from '../src/core/removal-chain.ts';
import { bearerToken, checkCapability, checkToken, sha256Hex, TOKEN_HASH } from './tokens.ts';

export interface Relay {
  url: string;
  port: number;
  close(): Promise<void>;
}

const WORKSPACE_RULE = says('invalid_workspace', `must match ${ID_PATTERN.source}`);
const HASH_RULE = says('invalid_token_hash', 'must be 64 hex characters');

/** A team reply's body: one box (the id as intake ids). */
const MAX_MAIL_BYTES = 16 * 1024;
const MAIL_ID_RULE = says('invalid_id', `must match ${ID_PATTERN.source}`);
const NOT_BOX = says('invalid_sealed', 'is not a chat box (h1.<b64url>.<b64url>.<b64url>)');
const mailBody = shape(
  {
    id: v.pipe(v.string(MAIL_ID_RULE), v.regex(ID_PATTERN, MAIL_ID_RULE)),
    sealed: v.pipe(
      v.string(NOT_BOX),
      v.maxLength(
        RELAY_LIMITS.maxSealedBytes,
        says('sealed_too_large', `is over ${RELAY_LIMITS.maxSealedBytes} bytes`),
      ),
      v.regex(SEALED_SHAPE, NOT_BOX),
      v.startsWith('h1.', NOT_BOX),
    ),
  },
  says('invalid_body', 'must be a JSON object'),
);

/** A `RegisterRequest`; the hash may come in upper case. */
const registerBody = shape(
  {
    workspace: v.pipe(v.string(WORKSPACE_RULE), v.regex(ID_PATTERN, WORKSPACE_RULE)),
    readTokenHash: v.pipe(v.string(HASH_RULE), v.toLowerCase(), v.regex(TOKEN_HASH, HASH_RULE)),
  },
  says('invalid_workspace', 'must be a JSON object {workspace, readTokenHash}'),
);

/** Largest registration body. */
const MAX_REGISTER_BYTES = 4096;
/** Sealed bytes per HTTP log page (the page also stops at `limit` entries). */
const LOG_PAGE_BYTES = 1024 * 1024;
/** Largest client message on the live socket (`follow` is small). */
const LIVE_MAX_PAYLOAD = 4096;
/** How long a snapshot upload waits for room in the memory budget before 503 `busy`. */
const SNAPSHOT_WAIT_MS = 5_000;

type Log = (line: string) => void;

/** An error answer a route throws: status, JSON `{error, message}`, extra headers. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: RelayErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function startRelay(
  partial: Partial<RelayOptions> = {},
  log: Log = (line) => {
    process.stderr.write(`relay: ${line}\n`);
  },
): Promise<Relay> {
  const options = checkOptions(partial);
  const started = Date.now();
  const quota = { events: options.quotaEvents, bytes: options.quotaBytes };
  const store: Store = options.redisUrl
    ? await RedisStore.open(options.redisUrl, quota)
    : new SqliteStore(options.dataDir, quota);
  const live = new LiveHub(store, options);
  const trimmer = new Trimmer(store);
  for (const wid of await store.trimmable()) trimmer.queue(wid);
  const committer = new GroupCommitter(store, options.maxPendingBytes);
  const signaling = new SignalingHub(
    {
      maxPayload: options.signalMaxPayload,
      maxTopics: options.signalMaxTopics,
      maxTopicLength: options.signalMaxTopicLength,
      ratePerSec: options.signalRatePerSec,
      burst: options.signalBurst,
      pingIntervalMs: options.pingIntervalMs,
    },
    store,
  );
  const limiters = {
    intake: new RateLimiter(options.intakeRatePerSec, options.intakeBurst),
    register: new RateLimiter(options.registerRatePerSec, options.registerBurst),
    read: new RateLimiter(options.readRatePerSec, options.readBurst),
    connect: new RateLimiter(options.connectRatePerSec, options.connectBurst),
  };
  let sockets = 0;
  let errors = 0;

  // ---- routes: each answers with sendJson or throws an HttpError ----

  const tooMany = (waitMs: number, what: string): HttpError =>
    new HttpError(429, 'rate_limited', `too many ${what}: retry later`, {
      'retry-after': retryAfterSeconds(waitMs),
    });
  const quotaFull = (): HttpError =>
    new HttpError(507, 'quota_exceeded', 'this workspace is over its storage quota', {
      'retry-after': '3600',
    });
  const badWorkspace = (): HttpError =>
    new HttpError(400, 'invalid_workspace', `workspace ids match ${ID_PATTERN.source}`);
  const logTrimmed = (through: number): HttpError =>
    new HttpError(
      410,
      'log_trimmed',
      `the log is trimmed through ${String(through)}: load the snapshot, then read from its cursor`,
      { 'x-log-trimmed-through': String(through) },
    );
  const unknownWorkspace = (): HttpError =>
    new HttpError(404, 'unknown_workspace', 'no such workspace on this relay');

  // The longest the event loop was held up since /health was last read (a client that starves
  // the others shows here).
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  // Counting is a scan over workspaces: cached for a second so /health stays cheap under load.
  let counts = { workspaces: 0, events: 0, eventBytes: 0, at: -Infinity };
  const health = async (res: ServerResponse): Promise<void> => {
    if (performance.now() - counts.at > 1000) {
      counts = { ...(await store.counts()), at: performance.now() };
    }
    sendJson(res, 200, {
      ok: true,
      protocol: 'v1',
      store: store.shared ? 'redis' : 'sqlite',
      // Over Redis these are the whole cluster's; every other figure is this node's own.
      clusterWide: store.shared ? ['workspaces', 'events', 'eventBytes'] : [],
      uptimeSec: Math.round((Date.now() - started) / 1000),
      workspaces: counts.workspaces,
      events: counts.events,
      eventBytes: counts.eventBytes,
      commits: committer.commits,
      pendingEvents: committer.pendingEvents,
      connections: { tcp: sockets, live: live.connections, signal: signaling.connections },
      topics: signaling.topics,
      rssBytes: process.memoryUsage.rss(),
      eventLoopDelayMaxMs: Math.round(loopDelay.max / 1e5) / 10,
      errors,
    });
    loopDelay.reset();
  };

  const register = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const wait = limiters.register.take(clientIp(req, options.trustProxy));
    if (wait) throw tooMany(wait, 'registrations');
    const checked = check(
      registerBody,
      await readJson(req, MAX_REGISTER_BYTES),
      'the body',
      'invalid_workspace',
    );
    if (!checked.ok) throw new HttpError(400, checked.error, checked.message);
    const { workspace, readTokenHash: hash } = checked.value;
    const result = await store.register(workspace, hash);
    if (result === 'conflict') {
      throw new HttpError(409, 'workspace_conflict', 'registered with another read token hash');
    }
    const answer: RegisterResponse = { workspace, created: result === 'created' };
    sendJson(res, answer.created ? 201 : 200, answer);
  };

  const intake = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    if (!ID_PATTERN.test(id)) throw badWorkspace();
    const workspace = await store.workspace(id);
    if (!workspace) throw unknownWorkspace();
    const key = `${clientIp(req, options.trustProxy)} ${workspace.wid}`;
    // One token up front (before reading the body), the rest once the batch size is known.
    let wait = limiters.intake.take(key, 1);
    if (wait) throw tooMany(wait, 'events');
    if (workspace.events >= options.quotaEvents || workspace.bytes >= options.quotaBytes) {
      throw quotaFull();
    }
    const items = parseIntake(await readBody(req, RELAY_LIMITS.maxBodyBytes));
    if (!Array.isArray(items)) throw new HttpError(items.status, items.error, items.message);
    if (items.length > 1) {
      wait = limiters.intake.take(key, items.length - 1);
      if (wait) throw tooMany(wait, 'events');
    }
    const result = await committer.submit({ wid: workspace.wid, events: items });
    if (!result.ok) throw result.error === 'quota_exceeded' ? quotaFull() : unknownWorkspace();
    const answer: IntakeResponse = { accepted: result.accepted, duplicates: result.duplicates };
    sendJson(res, 200, answer);
  };

  /** The secret a request presents: a member's read token, or a visitor's mailbox capability. */
  interface Credential {
    name: string;
    matches: (secret: string, workspace: WorkspaceRow) => boolean | Promise<boolean>;
  }
  const READ_TOKEN: Credential = {
    name: 'read token',
    matches: (token, workspace) => checkToken(token, workspace.readTokenHash),
  };
  /** A read token this one or an earlier change of the team secret replaced (or the current). */
  const FORMER_TOKEN: Credential = {
    name: 'read token',
    matches: async (token, workspace) =>
      checkToken(token, workspace.readTokenHash) ||
      (await store.rotationFor(workspace.wid, sha256Hex(token))) !== undefined,
  };

  /** A request's workspace, once the bearer secret is checked (a member's read token unless said). */
  const authorize = async (
    req: IncomingMessage,
    id: string,
    credential: Credential = READ_TOKEN,
  ): Promise<WorkspaceRow> => {
    const secret = bearerToken(req.headers.authorization);
    if (!secret) {
      throw new HttpError(401, 'unauthorized', `send Authorization: Bearer <${credential.name}>`, {
        'www-authenticate': 'Bearer',
      });
    }
    if (!ID_PATTERN.test(id)) throw badWorkspace();
    const wait = limiters.read.take(clientIp(req, options.trustProxy));
    if (wait) throw tooMany(wait, 'reads');
    const workspace = await store.workspace(id);
    if (!workspace) throw unknownWorkspace();
    if (!(await credential.matches(secret, workspace))) {
      throw new HttpError(401, 'unauthorized', `wrong ${credential.name}`, {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    return workspace;
  };

  /** A request's workspace for what anyone may read (the widget has no credentials). */
  const publicWorkspace = async (req: IncomingMessage, id: string): Promise<WorkspaceRow> => {
    if (!ID_PATTERN.test(id)) throw badWorkspace();
    const wait = limiters.read.take(clientIp(req, options.trustProxy));
    if (wait) throw tooMany(wait, 'reads');
    const workspace = await store.workspace(id);
    if (!workspace) throw unknownWorkspace();
    return workspace;
  };

  /** A page of a log (the intake log or a mailbox) as clients read it. */
  const logPage = (page: { entries: LogEntry[]; more: boolean }, after: number): LogPage => ({
    events: page.entries,
    cursor: page.entries[page.entries.length - 1]?.seq ?? after,
    more: page.more,
  });

  /** A request body that must be JSON, read within `max` bytes. */
  const readJson = async (req: IncomingMessage, max: number): Promise<unknown> => {
    const body = await readBody(req, max);
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
    }
  };

  const readLog = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    url: URL,
  ): Promise<void> => {
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

  const readSnapshot = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> => {
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
  const writeSnapshot = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> => {
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

  const postMail = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    mailbox: string,
  ): Promise<void> => {
    const workspace = await authorize(req, id);
    if (!ID_PATTERN.test(mailbox)) throw new HttpError(400, 'invalid_mailbox', 'not a mailbox id');
    const checked = check(
      mailBody,
      await readJson(req, MAX_MAIL_BYTES),
      'the body',
      'invalid_body',
    );
    if (!checked.ok)
      throw new HttpError(
        checked.error === 'sealed_too_large' ? 413 : 400,
        checked.error,
        checked.message,
      );
    const result = await store.writeMail(workspace.wid, mailbox, checked.value, options.maxMailbox);
    if (!result.ok) {
      throw new HttpError(
        507,
        'mailbox_full',
        `a mailbox holds at most ${options.maxMailbox} replies`,
      );
    }
    const answer: MailResponse = result.entry
      ? { seq: result.entry.seq, duplicate: false }
      : { duplicate: true };
    sendJson(res, 200, answer);
  };

  /**
   * Whether the team is online, for the widget: some member's app follows the log. Public (the
   * widget has no credentials), and says nothing about who or how many.
   */
  const teamStatus = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> => {
    const workspace = await publicWorkspace(req, id);
    const answer: TeamStatus = { online: await live.following(workspace.wid) };
    sendJson(res, 200, answer);
  };

  /** A visitor reading its mailbox: the capability it is named after is the credential. */
  const readMail = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    mailbox: string,
    url: URL,
  ): Promise<void> => {
    const workspace = await authorize(req, id, {
      name: 'mailbox capability',
      // The mailbox id itself is no credential: the relay keeps only that hash.
      matches: (capability) => ID_PATTERN.test(mailbox) && checkCapability(capability, mailbox),
    });
    const after = intParam(url, 'after', 0);
    if (after === undefined) {
      throw new HttpError(400, 'invalid_cursor', '"after" must be a non-negative integer');
    }
    const page = await store.readMail(workspace.wid, mailbox, after, MAIL_PAGE);
    sendJson(res, 200, logPage(page, after));
  };

  /**
   * The widget settings the team published: the signed chain the widget verifies. Members store
   * it (the relay cannot tell a good chain from a forged one, and need not: the widget can);
   * anyone reads it, as the widget has no credentials.
   */
  const writeWidgetSettings = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> => {
    const workspace = await authorize(req, id);
    const body = await readJson(req, RELAY_LIMITS.maxWidgetBytes);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'invalid_body', 'the widget settings must be a JSON object');
    }
    await store.writeWidgetSettings(workspace.wid, JSON.stringify(body));
    sendJson(res, 200, { stored: true });
  };

  /**
   * A member removed for good: the team secret changes, proven by the signed chain of the
   * removal (see src/core/removal-chain.ts). From now on only the new secret's token reads.
   */
  const rotate = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const workspace = await authorize(req, id);
    const body = await readJson(req, RELAY_LIMITS.maxChainBytes);
    const removal = await verifyRemoval(id, body);
    if (!removal) {
      throw new HttpError(400, 'invalid_body', 'not a signed chain that proves a removal');
    }
    const next = {
      epoch: removal.epoch,
      tokenHash: removal.tokenHash,
      chain: JSON.stringify(body),
    };
    if (removal.epoch !== workspace.epoch + 1 || !(await store.rotate(workspace, next))) {
      throw new HttpError(
        409,
        'epoch_conflict',
        `the team secret is at ${String(workspace.epoch)}: this change is not the next one`,
      );
    }
    // (The store tells every node's followers of the old token to go.)
    sendJson(res, 200, { epoch: removal.epoch });
  };

  /** The change that replaced the presented (former) token: how a member who was away catches up. */
  const readRotation = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> => {
    const workspace = await authorize(req, id, FORMER_TOKEN);
    const token = bearerToken(req.headers.authorization) ?? '';
    const rotation = await store.rotationFor(workspace.wid, sha256Hex(token));
    if (!rotation) throw new HttpError(404, 'no_rotation', 'this token is the current one');
    res.writeHead(200, { ...CORS_HEADERS, 'content-type': 'application/json' });
    res.end(`{"epoch":${String(rotation.epoch)},"chain":${rotation.chain}}`);
  };

  const readWidgetSettings = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> => {
    const workspace = await publicWorkspace(req, id);
    const body = await store.readWidgetSettings(workspace.wid);
    if (body === undefined) {
      throw new HttpError(404, 'no_widget_settings', 'the team has published no widget settings');
    }
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
    res.end(body);
  };

  interface WorkspaceRequest {
    req: IncomingMessage;
    res: ServerResponse;
    id: string;
    /** The mailbox, for `mailboxes/:name`. */
    name: string;
    url: URL;
  }
  type Handler = (r: WorkspaceRequest) => Promise<void>;
  /** `/v1/workspaces/:id/<resource>` by resource and method. */
  const WORKSPACE_ROUTES: Record<string, Record<string, Handler>> = {
    log: { GET: (r) => readLog(r.req, r.res, r.id, r.url) },
    snapshot: {
      GET: (r) => readSnapshot(r.req, r.res, r.id),
      // The same answer without the body (Node sends none for HEAD): version and size.
      HEAD: (r) => readSnapshot(r.req, r.res, r.id),
      PUT: (r) => writeSnapshot(r.req, r.res, r.id),
    },
    status: { GET: (r) => teamStatus(r.req, r.res, r.id) },
    rotation: { GET: (r) => readRotation(r.req, r.res, r.id) },
    rotate: { POST: (r) => rotate(r.req, r.res, r.id) },
    widget: {
      GET: (r) => readWidgetSettings(r.req, r.res, r.id),
      PUT: (r) => writeWidgetSettings(r.req, r.res, r.id),
    },
    mailboxes: {
      GET: (r) => readMail(r.req, r.res, r.id, r.name, r.url),
      POST: (r) => postMail(r.req, r.res, r.id, r.name),
    },
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // HTTP/1.1 requires a Host header; Node's own refusal would not be this protocol's JSON.
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      throw new HttpError(400, 'bad_request', 'an HTTP/1.1 request needs a Host header');
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://relay.invalid');
    } catch {
      throw new HttpError(400, 'bad_request', 'malformed request target');
    }
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      sendPreflight(req, res);
      return;
    }
    const only = (allowed: string): void => {
      if (method !== allowed) {
        throw new HttpError(405, 'method_not_allowed', `use ${allowed}`, {
          allow: `${allowed}, OPTIONS`,
        });
      }
    };
    const parts = url.pathname.split('/');
    if (url.pathname === '/health') {
      only('GET');
      await health(res);
    } else if (url.pathname === '/v1/workspaces') {
      only('POST');
      await register(req, res);
    } else if (parts.length === 4 && parts[1] === 'v1' && parts[2] === 'intake') {
      only('POST');
      await intake(req, res, parts[3] ?? '');
    } else if (parts[1] === 'v1' && parts[2] === 'workspaces' && parts.length >= 5) {
      // /v1/workspaces/:id/:resource[/:name]
      const resource = WORKSPACE_ROUTES[parts[4] ?? ''];
      if (!resource || parts.length !== (parts[4] === 'mailboxes' ? 6 : 5)) {
        throw new HttpError(404, 'not_found', 'no such endpoint');
      }
      const handler = resource[method];
      if (!handler) {
        const allowed = Object.keys(resource).join(', ');
        throw new HttpError(405, 'method_not_allowed', `use ${allowed}`, {
          allow: `${allowed}, OPTIONS`,
        });
      }
      await handler({ req, res, id: parts[3] ?? '', name: parts[5] ?? '', url });
    } else {
      throw new HttpError(404, 'not_found', 'no such endpoint');
    }
  };

  /** Turns whatever a route threw into a JSON error answer. */
  const answerError = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    if (err instanceof HttpError) {
      sendError(res, err.status, err.code, err.message, err.headers);
    } else if (err instanceof BodyTooLarge) {
      refuseBody(req, res, 413, 'body_too_large', `the body is over ${err.limit} bytes`);
    } else if (err instanceof Busy) {
      const retry = { 'retry-after': '1' };
      // (A snapshot upload may be refused before its body is read.)
      if (req.complete) sendError(res, 503, 'busy', err.message, retry);
      else refuseBody(req, res, 503, 'busy', err.message, retry);
    } else if (err instanceof StoreUnavailable) {
      log(`store unavailable: ${err.message}`);
      sendError(res, 503, 'unavailable', 'the relay cannot reach its store: retry shortly', {
        'retry-after': '2',
      });
    } else if (err instanceof StoreFull || (err as { code?: unknown }).code === 'SQLITE_FULL') {
      errors++;
      log(`storage full: ${String(err)}`);
      sendError(res, 507, 'storage_full', 'the relay is out of storage space', {
        'retry-after': '3600',
      });
    } else if (!res.destroyed && !req.destroyed) {
      // (When the client went away mid-body there is no one to answer.)
      errors++;
      log(`request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      sendError(res, 500, 'internal', 'internal error', { 'retry-after': '5' });
    }
  };

  const server = createServer(
    {
      // Slow clients cannot hold a connection for long: headers within 10 s, whole request 15 s,
      // checked every half second (Node's default tick of 30 s would let them stay 30–40 s).
      headersTimeout: 10_000,
      requestTimeout: 15_000,
      connectionsCheckingInterval: 500,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
      // A request without Host gets the protocol's JSON answer (see `route`), not Node's.
      requireHostHeader: false,
    },
    (req, res) => {
      route(req, res).catch((err: unknown) => {
        answerError(req, res, err);
      });
    },
  );
  server.maxConnections = options.maxConnections;
  // Idle sockets (keep-alive or half-open) are closed after 30 s.
  server.timeout = 30_000;
  // Each address holds at most its share of the connections (behind a trusted proxy every
  // TCP peer is the proxy: WebSockets are then counted per forwarded address, at the upgrade).
  const tcpShare = new ConnectionShare(options.maxConnectionsPerIp);
  const wsShare = new ConnectionShare(options.maxConnectionsPerIp);
  server.on('connection', (socket: Socket) => {
    sockets++;
    const address = socket.remoteAddress ?? 'unknown';
    const counted = options.trustProxy || tcpShare.open(address);
    socket.once('close', () => {
      sockets--;
      if (!options.trustProxy && counted) tcpShare.close(address);
    });
    if (!counted) {
      rejectSocket(socket, 429, 'rate_limited', 'too many connections from this address');
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      rejectSocket(socket, 431, 'headers_too_large', 'request headers are too large');
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      rejectSocket(socket, 408, 'timeout', 'the request took too long');
    } else {
      rejectSocket(socket, 400, 'bad_request', 'malformed HTTP request');
    }
  });

  // ---- WebSockets ----

  const liveWss = new WebSocketServer({
    noServer: true,
    maxPayload: LIVE_MAX_PAYLOAD,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const signalWss = new WebSocketServer({
    noServer: true,
    maxPayload: options.signalMaxPayload,
    perMessageDeflate: false,
    clientTracking: false,
  });
  // A malformed handshake gets the protocol's JSON error, not ws's own text/html answer.
  for (const wss of [liveWss, signalWss]) {
    wss.on('wsClientError', (err: Error, socket: Duplex) => {
      if (err.message === 'Invalid HTTP method') {
        rejectSocket(socket, 405, 'method_not_allowed', 'a WebSocket handshake is a GET');
      } else {
        const version: Record<string, string> = /Version/.test(err.message)
          ? { 'Sec-WebSocket-Version': '13, 8' }
          : {};
        rejectSocket(socket, 400, 'bad_request', err.message, version);
      }
    });
  }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {
      socket.destroy();
    });
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    } catch {
      rejectSocket(socket, 400, 'bad_request', 'malformed request target');
      return;
    }
    const isLive = path === '/v1/live';
    const isSignal = path === '/signal' || path === '/signal/';
    if (!isLive && !isSignal) {
      rejectSocket(socket, 404, 'not_found', 'WebSocket endpoints: /v1/live, /signal');
      return;
    }
    const wait = limiters.connect.take(clientIp(req, options.trustProxy));
    if (wait) {
      rejectSocket(socket, 429, 'rate_limited', 'too many connections: retry later');
      return;
    }
    if (
      isLive
        ? live.connections >= options.maxLiveConnections
        : signaling.connections >= options.maxSignalConnections
    ) {
      rejectSocket(socket, 503, 'too_many_connections', 'the relay is full: retry later');
      return;
    }
    const address = clientIp(req, options.trustProxy);
    if (options.trustProxy && !wsShare.open(address)) {
      rejectSocket(socket, 429, 'rate_limited', 'too many connections from this address');
      return;
    }
    const wss = isLive ? liveWss : signalWss;
    if (options.trustProxy) {
      socket.once('close', () => {
        wsShare.close(address);
      });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (isLive) live.accept(ws);
      else signaling.accept(ws);
    });
  });

  // ---- start ----

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => {
    errors++;
    log(`server error: ${err.message}`);
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      loopDelay.disable();
      live.close();
      trimmer.close();
      signaling.close();
      // Anything already received is committed and answered; later writes get 503.
      await committer.close();
      server.closeIdleConnections();
      const grace = setTimeout(() => {
        server.closeAllConnections();
        live.terminate();
        signaling.terminate();
      }, 2000);
      await stopped;
      clearTimeout(grace);
      await store.close();
    })());

  return { url: `http://${host}:${port}`, port, close };
}

/** A non-negative integer query parameter; `fallback` when absent, undefined when malformed. */
function intParam(url: URL, name: string, fallback: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,16}$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}
