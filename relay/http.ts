/**
 * Small HTTP helpers shared by the relay's routes: JSON answers with CORS headers, JSON errors,
 * and a body reader that refuses a body over its limit without buffering it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody, RelayErrorCode } from '../src/core/relay-protocol.ts';

/** Every answer carries these: any site may call the relay (it holds only ciphertext). */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Retry-After, X-Snapshot-Version, X-Log-Trimmed-Through',
} as const;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  error: RelayErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body: ErrorBody = { error, message };
  sendJson(res, status, body, headers);
}

/** Answers a CORS preflight: the app sends Authorization on log reads, If-Match on snapshots. */
export function sendPreflight(req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = {
    ...CORS_HEADERS,
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, OPTIONS',
    'access-control-allow-headers': 'Authorization, Content-Type, If-Match, X-Snapshot-Covers',
    'access-control-max-age': '86400',
    'content-length': '0',
  };
  // Chrome's Private Network Access: a public site's widget posting to a relay on a private
  // address asks first.
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['access-control-allow-private-network'] = 'true';
  }
  res.writeHead(204, headers);
  res.end();
}

export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
  constructor(readonly limit: number) {
    super(`the body is over ${limit} bytes`);
  }
}

/**
 * Reads a request body of at most `limit` bytes. Over the limit (announced by Content-Length or
 * found while reading) it rejects with BodyTooLarge at once and keeps nothing.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new BodyTooLarge(limit));
  }
  // With a length declared, one buffer of that size: nothing is held twice.
  const length = declared === undefined ? NaN : Number(declared);
  const into = Number.isSafeInteger(length) && length >= 0 ? Buffer.allocUnsafe(length) : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
        return;
      }
      if (!into) chunks.push(chunk);
      else if (size <= into.length) chunk.copy(into, size - chunk.length);
      else {
        // More than it said (Node's parser does not let that happen): refused all the same.
        cleanup();
        reject(new BodyTooLarge(into.length));
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(into ? into.subarray(0, size) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the client went away'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    // (A caller may have paused it while it waited for room.)
    req.resume();
  });
}

/** How much of a refused body is read (and thrown away) so that the client sees the 413. */
const DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 5000;

/**
 * Refuses a body not read (too large, or no room for it now) with the given error. The rest of
 * the body is discarded as it arrives (never kept), so an ordinary client gets to read the
 * answer instead of a broken pipe; past DRAIN_BYTES or DRAIN_MS the connection is cut.
 */
export function refuseBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: RelayErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendError(res, status, error, message, headers);
  const socket = req.socket;
  let drained = 0;
  const timer = setTimeout(() => {
    socket.destroy();
  }, DRAIN_MS);
  timer.unref();
  const done = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) {
      done();
      socket.destroy();
    }
  };
  req.on('data', onData);
  req.once('end', done);
  req.once('close', done);
  req.resume();
}

/** The client's address: the socket's, or the first X-Forwarded-For hop behind a proxy. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** Writes a minimal JSON HTTP error on a raw socket (bad request line, refused upgrade). */
export function rejectSocket(
  socket: Duplex,
  status: number,
  error: RelayErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  const reason: Record<number, string> = {
    400: 'Bad Request',
    404: 'Not Found',
    405: 'Method Not Allowed',
    408: 'Request Timeout',
    429: 'Too Many Requests',
    431: 'Request Header Fields Too Large',
    503: 'Service Unavailable',
  };
  const body = JSON.stringify({ error, message } satisfies ErrorBody);
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${reason[status] ?? 'Error'}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: application/json; charset=utf-8\r\n' +
        'Access-Control-Allow-Origin: *\r\n' +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  // A client that never reads the answer does not keep the socket.
  setTimeout(() => {
    socket.destroy();
  }, 1000).unref();
}

/** An error answer a route throws: status, JSON `{error, message}`, extra headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: RelayErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A request body that must be JSON, read within `max` bytes. */
export async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const body = await readBody(req, max);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

/** A non-negative integer query parameter; `fallback` when absent, undefined when malformed. */
export function intParam(url: URL, name: string, fallback: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,16}$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}
