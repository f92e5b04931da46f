/**
 * A real `redis-server` for the relay's tests (never a mock): its own port and directory,
 * durable as PROTOCOL.md says a host should run it (append-only file, fsync on every write).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisProcess {
  url: string;
  port: number;
  dir: string;
  child: ChildProcess;
  /** Stops it: SIGKILL as a crash would, or a clean SHUTDOWN (SIGTERM). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        ok(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

const running = new Set<RedisProcess>();

export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map((redis) => redis.stop('SIGKILL')));
}

/** Starts redis-server (again, on the same port and directory when `from` is given). */
export async function spawnRedis(
  options: { from?: RedisProcess; args?: string[] } = {},
): Promise<RedisProcess> {
  const port = options.from?.port ?? (await freePort());
  const dir = options.from?.dir ?? (await mkdtemp(join(tmpdir(), 'redis-test-')));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => {
      fail(new Error(`redis-server did not start: ${out}`));
    }, 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`redis-server exited with ${String(code)}: ${out}`));
    });
  });
  const redis: RedisProcess = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    child,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((ok) => {
        running.delete(redis);
        if (child.exitCode !== null || child.signalCode !== null) {
          ok();
          return;
        }
        child.once('exit', () => {
          ok();
        });
        child.kill(signal);
      }),
  };
  running.add(redis);
  return redis;
}
