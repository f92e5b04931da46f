/**
 * `npm run relay:cluster [-- --nodes=3 --port=8787]`: Redis plus several relay nodes on this
 * machine, for trying the relay over Redis (relay/PROTOCOL.md, Several nodes). Redis runs as a
 * host should run it (append-only file, fsync on every write, noeviction) with its data in
 * `.data/cluster/redis`; the nodes listen on consecutive ports, each taking any client. A real
 * host puts a load balancer with WebSocket support in front of them. Ctrl-C stops it all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: number): number => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = Number(raw ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a number`);
  return value;
};
const nodes = arg('nodes', 3);
const port = arg('port', 8787);
const redisPort = arg('redis-port', 6390);
const dir = `${root}.data/cluster/redis`;
mkdirSync(dir, { recursive: true });

const children: ChildProcess[] = [];
const stop = (): void => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const redis = spawn(
  'redis-server',
  [
    ...['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir],
    ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
    ...['--maxmemory', '1gb', '--maxmemory-policy', 'noeviction'],
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
children.push(redis);
await new Promise<void>((ok, fail) => {
  let out = '';
  redis.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (/Ready to accept connections/.test(out)) ok();
  });
  redis.once('exit', (code) => {
    fail(new Error(`redis-server exited with ${String(code)}:\n${out}`));
  });
});
console.log(`redis      redis://127.0.0.1:${redisPort} (data in ${dir})`);

for (let i = 0; i < nodes; i++) {
  const relay = spawn(`${root}node_modules/.bin/tsx`, [`${root}relay/main.ts`], {
    env: {
      ...process.env,
      RELAY_PORT: String(port + i),
      RELAY_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(relay);
  relay.stdout.on('data', (chunk: Buffer) => {
    const url = /relay listening on (\S+)/.exec(chunk.toString())?.[1];
    if (url) console.log(`relay ${i + 1}    ${url}`);
  });
  relay.once('exit', (code) => {
    console.log(`relay ${i + 1} stopped (${String(code)})`);
  });
}
