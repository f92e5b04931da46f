/**
 * Slow and malformed clients get the protocol's answers in the protocol's time
 * (relay/PROTOCOL.md, Limits): headers that trickle are cut at 10 s and a body that stops
 * within 15 s — not on Node's own 30 s tick — and an HTTP/1.1 request without Host gets a JSON
 * 400.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, spawnRelay, stopAllRelays, type RelayProcess } from './helpers.ts';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay();
});
afterAll(async () => {
  await stopAllRelays();
  await removeDir(relay.dataDir);
});

/** Writes `raw` and answers what came back and when the relay closed the socket (ms). */
function exchange(raw: string, trickle = false): Promise<{ text: string; closedAfterMs: number }> {
  const url = new URL(relay.url);
  return new Promise((done, fail) => {
    const started = Date.now();
    let text = '';
    let timer: ReturnType<typeof setInterval> | undefined;
    const socket = connect(Number(url.port), url.hostname, () => {
      if (!trickle) {
        socket.write(raw);
        return;
      }
      // One byte a second, never finishing.
      let i = 0;
      timer = setInterval(() => {
        if (i < raw.length) socket.write(raw[i++] ?? '');
      }, 1_000);
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearInterval(timer);
      done({ text, closedAfterMs: Date.now() - started });
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

  it('cuts headers that trickle after 10 s, not 30', async () => {
    const { closedAfterMs } = await exchange(
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100),
      true,
    );
    expect(closedAfterMs).toBeGreaterThanOrEqual(9_500);
    expect(closedAfterMs).toBeLessThan(13_000);
  }, 30_000);

  it('cuts a body that stops within 15 s, not 30', async () => {
    const { closedAfterMs } = await exchange(
      'POST /v1/intake/ws_abcdefghijklmnop HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n{"events":[',
    );
    expect(closedAfterMs).toBeLessThan(16_000);
  }, 30_000);
});
