/**
 * The whole product on one machine: the relay (its own process, durable store on disk), the
 * built app as static files, and the demo website on a third origin. Used by `npm start`, the
 * end-to-end tests and the benchmark, so all three run exactly the same parts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/** Serves files under `root`; unknown paths get `fallback` (an SPA shell). */
function serveStatic(
  root: string,
  fallback: string,
  routes: Record<string, () => string> = {},
): Server {
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const dynamic = routes[path];
    if (dynamic) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(dynamic());
      return;
    }
    let file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      file = join(root, fallback);
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      ok((server.address() as AddressInfo).port);
    });
  });
}

export interface RelayProcess {
  url: string;
  port: number;
  process: ChildProcess;
}

/** Starts the relay process and waits for its "listening" line. */
export function startRelay(
  dataDir: string,
  port = 0,
  host = '127.0.0.1',
  env: Record<string, string> = {},
): Promise<RelayProcess> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'relay/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      RELAY_PORT: String(port),
      RELAY_HOST: host,
      RELAY_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => {
      fail(new Error(`relay did not start: ${out}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /relay listening on (http:\/\/[^\s]+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ url: `${m[1] ?? ''}:${m[2] ?? ''}`, port: Number(m[2]), process: child });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`relay exited with ${String(code)}: ${out}`));
    });
  });
}

export function stopRelay(relay: RelayProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((ok) => {
    if (relay.process.exitCode !== null || relay.process.signalCode !== null) {
      ok();
      return;
    }
    relay.process.once('exit', () => {
      ok();
    });
    relay.process.kill(signal);
  });
}

export interface StackOptions {
  host?: string;
  relayPort?: number;
  appPort?: number;
  demoPort?: number;
  dataDir?: string;
}

export interface Stack {
  relay: RelayProcess;
  relayUrl: string;
  appUrl: string;
  demoUrl: string;
  dataDir: string;
  /** The app runs its team work this much later (see AppConfig.clockOffsetMs), from its next load. */
  setClockOffset(ms: number): void;
  /**
   * Kills the relay (as a crash would, by default) and starts it again on the same port. A relay
   * that dies unasked is started again by the stack itself.
   */
  restartRelay(signal?: NodeJS.Signals): Promise<void>;
  stopRelay(): Promise<void>;
  startRelay(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const host = options.host ?? '127.0.0.1';
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error('The app is not built: run `npm run build` first.');
  }
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'converge-relay-')));
  let relay = await startRelay(dataDir, options.relayPort ?? 0, host);
  const relayPort = relay.port;
  // The stack watches its relay: one that dies unasked is said and started again (a real host
  // runs the relay under its own supervisor instead). Stops asked for are not watched.
  let watching = true;
  let revivals: Promise<void> = Promise.resolve();
  const watch = (child: RelayProcess): void => {
    child.process.once('exit', (code, signal) => {
      if (!watching || relay !== child) return;
      console.error(
        `The relay stopped unexpectedly (${signal ?? `exit code ${String(code)}`}): starting it again…`,
      );
      revivals = revive();
    });
  };
  const revive = async (): Promise<void> => {
    for (let wait = 500; watching; wait = Math.min(wait * 2, 30_000)) {
      try {
        relay = await startRelay(dataDir, relayPort, host);
        watch(relay);
        console.error(`The relay is back at ${relay.url}.`);
        return;
      } catch (err) {
        console.error(
          `The relay did not start (${String(err)}): trying again in ${String(wait)} ms.`,
        );
        await new Promise((ok) => setTimeout(ok, wait));
      }
    }
  };
  watch(relay);
  /** Stops the relay on purpose: no revival. */
  const stopOnPurpose = async (signal: NodeJS.Signals): Promise<void> => {
    watching = false;
    await revivals;
    await stopRelay(relay, signal);
  };
  const startAgain = async (): Promise<void> => {
    relay = await startRelay(dataDir, relayPort, host);
    watching = true;
    watch(relay);
  };
  const demoServer = serveStatic(join(ROOT, 'public/demo'), 'index.html');
  const demoPort = await listen(demoServer, host, options.demoPort ?? 0);
  // The demo site runs on "localhost" and the app on the IP: two different origins.
  const demoUrl = `http://${host === '127.0.0.1' ? 'localhost' : host}:${demoPort}`;
  let clockOffsetMs = 0;
  const appServer = serveStatic(dist, 'index.html', {
    '/config.json': () =>
      JSON.stringify({ relayUrl: relay.url, demoUrl, ...(clockOffsetMs ? { clockOffsetMs } : {}) }),
  });
  const appPort = await listen(appServer, host, options.appPort ?? 0);
  const close = (server: Server): Promise<void> =>
    new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => {
        ok();
      });
    });

  const stack: Stack = {
    get relay() {
      return relay;
    },
    get relayUrl() {
      return relay.url;
    },
    appUrl: `http://${host}:${appPort}`,
    demoUrl,
    dataDir,
    setClockOffset(ms: number) {
      clockOffsetMs = ms;
    },
    async restartRelay(signal: NodeJS.Signals = 'SIGKILL') {
      await stopOnPurpose(signal);
      await startAgain();
    },
    async stopRelay() {
      await stopOnPurpose('SIGKILL');
    },
    startRelay: startAgain,
    async stop() {
      await Promise.all([stopOnPurpose('SIGTERM'), close(appServer), close(demoServer)]);
    },
  };
  return stack;
}
