/**
 * `npm run relay`: starts the relay with options from the environment (see relay/config.ts and
 * relay/PROTOCOL.md), prints one line `relay listening on http://HOST:PORT` for scripts to parse,
 * and shuts down gracefully on SIGTERM / SIGINT.
 */
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ConfigError, optionsFromEnv } from './config.ts';
import { startRelay } from './server.ts';

// A reader that went away (closed pipe) must not turn every log line into an EPIPE exception,
// which the handlers below would try to log again, forever.
let logging = true;
process.stderr.on('error', () => {
  logging = false;
});
process.stdout.on('error', () => {
  /* the "listening" line is the only stdout output */
});
const log = (line: string): void => {
  if (logging) process.stderr.write(`relay: ${line}\n`);
};

// Last line of defence: a bug in one request must not take every team's relay down. Logged
// (and counted by tests, which fail on it) rather than swallowed.
process.on('uncaughtException', (err) => {
  log(`uncaught exception: ${err.stack ?? err.message}`);
});
process.on('unhandledRejection', (reason) => {
  log(
    `uncaught rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
  );
});

let options;
try {
  options = optionsFromEnv();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  log(err.message);
  process.exit(2);
}

let relay;
try {
  relay = await startRelay(options, log);
} catch (err) {
  log(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
process.stdout.write(`relay listening on ${relay.url}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  relay.close().then(
    () => process.exit(0),
    (err: unknown) => {
      log(`close failed: ${String(err)}`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => {
  stop('SIGTERM');
});
process.on('SIGINT', () => {
  stop('SIGINT');
});

// `tsx relay/main.ts` runs this file in a child of the tsx CLI, which forwards SIGTERM/SIGINT
// but cannot forward SIGKILL: killed with -9, it would leave this process orphaned, still
// holding the port. So when the tsx launcher (recognised by its IPC pipe) disappears, the relay
// dies the same way. Acknowledged events are already on disk, so this loses nothing.
const launcher = process.ppid;
const uid = process.geteuid?.() ?? userInfo().username;
if (existsSync(join(tmpdir(), `tsx-${String(uid)}`, `${String(launcher)}.pipe`))) {
  setInterval(() => {
    if (process.ppid !== launcher) process.kill(process.pid, 'SIGKILL');
  }, 200).unref();
}
