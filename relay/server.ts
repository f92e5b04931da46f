/**
 * The relay server: HTTP routes (health, registration and intake here; a workspace's log and
 * snapshot in log-routes.ts, what team and visitors exchange in team-routes.ts), the two
 * WebSocket endpoints (live log, signaling) and their limits, on one port. `startRelay` is what
 * main.ts, and anything embedding the relay, calls.
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
  type RegisterResponse,
} from '../src/core/relay-protocol.ts';
import {
  badWorkspace,
  quotaFull,
  tooMany,
  unknownWorkspace,
  type Resources,
  type RouteContext,
} from './access.ts';
import { check, says, shape } from './checks.ts';
import { checkOptions, type RelayOptions } from './config.ts';
import {
  BodyTooLarge,
  clientIp,
  HttpError,
  readBody,
  readJson,
  refuseBody,
  rejectSocket,
  sendError,
  sendJson,
  sendPreflight,
} from './http.ts';
import { Busy, GroupCommitter, parseIntake } from './intake.ts';
import { ConnectionShare, RateLimiter } from './limits.ts';
import { LiveHub } from './live.ts';
import { logRoutes } from './log-routes.ts';
import { teamRoutes } from './team-routes.ts';
import { SignalingHub } from './signaling.ts';
import { RedisStore } from './redis-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { StoreFull, StoreUnavailable, type Store } from './store.ts';
import { Trimmer } from './trimmer.ts';
import { TOKEN_HASH } from './tokens.ts';

export interface Relay {
  url: string;
  port: number;
  close(): Promise<void>;
}

const WORKSPACE_RULE = says('invalid_workspace', `must match ${ID_PATTERN.source}`);
const HASH_RULE = says('invalid_token_hash', 'must be 64 hex characters');

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
/** Largest client message on the live socket (`follow` is small). */
const LIVE_MAX_PAYLOAD = 4096;

type Log = (line: string) => void;

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

  const ctx: RouteContext = { store, options, limiters, live, committer, trimmer };
  /** `/v1/workspaces/:id/<resource>` by resource and method. */
  const WORKSPACE_ROUTES: Resources = { ...logRoutes(ctx), ...teamRoutes(ctx) };

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
