/**
 * Teammates whose signaling sockets sit on different relay nodes (over one real Redis) still
 * find each other: y-webrtc's own provider in two browser contexts, real WebRTC between them.
 */
import { build } from 'esbuild';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startRelay, stopRelay, type RelayProcess } from '../../scripts/stack.ts';
import { spawnRedis, type RedisProcess } from '../relay/redis.ts';
import { expect, test } from './fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');

let redis: RedisProcess;
let nodes: RelayProcess[];
/** A page of its own (served from loopback, as browsers let reach the relay): y-webrtc, Yjs. */
let page: Server;
let pageUrl: string;

test.beforeAll(async () => {
  redis = await spawnRedis();
  const env = { RELAY_REDIS_URL: redis.url };
  nodes = [
    await startRelay(await mkdtemp(join(tmpdir(), 'node-a-')), 0, '127.0.0.1', env),
    await startRelay(await mkdtemp(join(tmpdir(), 'node-b-')), 0, '127.0.0.1', env),
  ];
  const bundle = await build({
    stdin: {
      contents: `
        import * as Y from 'yjs';
        import { WebrtcProvider } from 'y-webrtc';
        window.joinRoom = (signaling, room) => {
          const doc = new Y.Doc();
          // No STUN server: loopback needs none.
          new WebrtcProvider(room, doc, {
            signaling: [signaling],
            password: 'team secret',
            peerOpts: { config: { iceServers: [] } },
          });
          return doc.getMap('edits');
        };`,
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    define: { global: 'globalThis' },
    write: false,
    logLevel: 'error',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const html = `<!doctype html><title>peer</title><script>${script}</script>`;
  page = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((ok) => page.listen(0, '127.0.0.1', ok));
  pageUrl = `http://127.0.0.1:${String((page.address() as AddressInfo).port)}/`;
});

test.afterAll(async () => {
  for (const node of nodes) await stopRelay(node);
  await redis.stop();
  page.close();
});

test('y-webrtc peers signaling through different relay nodes sync', async ({ browser }) => {
  const room = `room-${String(Date.now())}`;
  const open = async (node: RelayProcess) => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(pageUrl);
    await tab.evaluate(
      ({ signaling, name }) => {
        const w = window as unknown as {
          joinRoom: (s: string, r: string) => unknown;
          edits: { set(k: string, v: string): void; get(k: string): unknown };
        };
        w.edits = w.joinRoom(signaling, name) as typeof w.edits;
      },
      { signaling: `${node.url.replace('http', 'ws')}/signal`, name: room },
    );
    return { context, page: tab };
  };
  const [a, b] = nodes as [RelayProcess, RelayProcess];
  const ada = await open(a);
  const grace = await open(b);
  const read = (page: typeof ada.page, key: string) =>
    page.evaluate(
      (k) => (window as unknown as { edits: { get(k: string): unknown } }).edits.get(k),
      key,
    );
  await ada.page.evaluate(() => {
    (window as unknown as { edits: { set(k: string, v: string): void } }).edits.set(
      'lead-1',
      'Ada',
    );
  });
  await expect.poll(() => read(grace.page, 'lead-1'), { timeout: 20_000 }).toBe('Ada');
  await grace.page.evaluate(() => {
    (window as unknown as { edits: { set(k: string, v: string): void } }).edits.set(
      'lead-2',
      'Grace',
    );
  });
  await expect.poll(() => read(ada.page, 'lead-2'), { timeout: 10_000 }).toBe('Grace');
  await ada.context.close();
  await grace.context.close();
});
