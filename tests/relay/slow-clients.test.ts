/**
 * Slow and malformed clients get the protocol's answers in the protocol's time
 * (relay/PROTOCOL.md, Limits): headers that trickle are cut at 10 s and a body that stops
 * within 15 s — not on Node's own 30 s tick —, an HTTP/1.1 request without Host and malformed
 * WebSocket handshakes get JSON errors, and one address cannot hold every connection.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { relayForFile } from './helpers.ts';

const relay = await relayForFile({ env: { RELAY_MAX_CONNECTIONS_PER_IP: '20' } });

/**
 * Writes `raw` and answers what came back and when the relay closed the socket: ms after
 * connecting, and after the first byte was written (the headers' clock starts there).
 */
function exchange(
  raw: string,
  trickle = false,
): Promise<{ text: string; closedAfterMs: number; sinceFirstByteMs: number }> {
  const url = new URL(relay.url);
  return new Promise((done, fail) => {
    const started = Date.now();
    let firstByte = started;
    let text = '';
    let timer: ReturnType<typeof setInterval> | undefined;
    const socket = connect(Number(url.port), url.hostname, () => {
      firstByte = Date.now();
      if (!trickle) {
        socket.write(raw);
        return;
      }
      // One byte a second, never finishing.
      let i = 0;
      socket.write(raw[i++] ?? '');
      timer = setInterval(() => {
        if (i < raw.length) socket.write(raw[i++] ?? '');
      }, 1_000);
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearInterval(timer);
      const now = Date.now();
      done({ text, closedAfterMs: now - started, sinceFirstByteMs: now - firstByte });
    });
    socket.on('error', fail);
  });
}

describe('slow and malformed clients', () => {
  it('answers an HTTP/1.1 request without Host with the protocol’s JSON error', async () => {
    const { text } = await exchange('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toContain('"error":"bad_request"');
  });

  const handshake = (lines: string[]): string =>
    [...lines, 'Host: x', 'Connection: Upgrade', '', ''].join('\r\n');
  const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';

  it.each([
    [
      'a bad version',
      ['GET /v1/live HTTP/1.1', 'Upgrade: websocket', KEY, 'Sec-WebSocket-Version: 99'],
      400,
    ],
    ['no key', ['GET /signal HTTP/1.1', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13'], 400],
    [
      'a malformed key',
      [
        'GET /signal HTTP/1.1',
        'Upgrade: websocket',
        'Sec-WebSocket-Key: x',
        'Sec-WebSocket-Version: 13',
      ],
      400,
    ],
    [
      'a bad protocol list',
      [
        'GET /v1/live HTTP/1.1',
        'Upgrade: websocket',
        KEY,
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Protocol: a,,b',
      ],
      400,
    ],
    [
      'a POST upgrade',
      [
        'POST /v1/live HTTP/1.1',
        'Upgrade: websocket',
        KEY,
        'Sec-WebSocket-Version: 13',
        'Content-Length: 0',
      ],
      405,
    ],
    [
      'an upgrade to something else',
      ['GET /signal HTTP/1.1', 'Upgrade: h2c', KEY, 'Sec-WebSocket-Version: 13'],
      400,
    ],
  ])('answers a handshake with %s as JSON', async (_, lines, status) => {
    const { text } = await exchange(handshake(lines));
    expect(text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(text).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: string };
    expect(body.error).toBe(status === 405 ? 'method_not_allowed' : 'bad_request');
  });

  it('keeps one address to its share of the connections', async () => {
    const url = new URL(relay.url);
    const held = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<Socket>((ok) => {
            const socket = connect(Number(url.port), url.hostname, () => {
              ok(socket);
            });
          }),
      ),
    );
    // The 21st is refused with the protocol's answer…
    const { text } = await exchange('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 429 /);
    expect(text).toContain('"error":"rate_limited"');
    // …and once one is given back, the address gets one again.
    await new Promise<void>((ok) => {
      held.pop()?.once('close', ok).destroy();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await exchange('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(again.text).toMatch(/^HTTP\/1\.1 200 /);
    for (const socket of held) socket.destroy();
  });

  it('cuts headers that trickle within 11 s (10 s promised), not 30', async () => {
    const { sinceFirstByteMs } = await exchange(
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100),
      true,
    );
    expect(sinceFirstByteMs).toBeGreaterThanOrEqual(9_500);
    expect(sinceFirstByteMs).toBeLessThan(11_000);
  }, 30_000);

  it('cuts a body that stops within 15 s, not 30', async () => {
    const { closedAfterMs } = await exchange(
      'POST /v1/intake/ws_abcdefghijklmnop HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n{"events":[',
    );
    expect(closedAfterMs).toBeLessThan(16_000);
  }, 30_000);
});
