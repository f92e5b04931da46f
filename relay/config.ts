/**
 * The relay's options: defaults, and how they are read from the environment (RELAY_*).
 * Every limit lives here so that PROTOCOL.md, tests and operators have one place to look.
 */
import { RELAY_LIMITS } from '../src/core/relay-protocol.ts';

export interface RelayOptions {
  port: number;
  host: string;
  dataDir: string;
  /** Stored events per workspace before intake answers 507. */
  quotaEvents: number;
  /** Stored bytes (ids + sealed boxes) per workspace before intake answers 507. */
  quotaBytes: number;
  /** Replies one visitor's mailbox holds before posting answers 507. */
  maxMailbox: number;
  /** Intake token bucket per client IP + workspace, in events. */
  intakeRatePerSec: number;
  intakeBurst: number;
  /** Registration token bucket per client IP, in requests. */
  registerRatePerSec: number;
  registerBurst: number;
  /** Log reads (HTTP) per client IP. */
  readRatePerSec: number;
  readBurst: number;
  /** WebSocket upgrades per client IP. */
  connectRatePerSec: number;
  connectBurst: number;
  /** Open TCP connections of every kind; the HTTP server drops connections beyond this. */
  maxConnections: number;
  /**
   * Open connections one client address may hold: its share of `maxConnections`. Counted per
   * TCP peer, or per forwarded client address for WebSockets behind a trusted proxy.
   */
  maxConnectionsPerIp: number;
  maxLiveConnections: number;
  maxSignalConnections: number;
  /** Largest signaling message (bytes); larger frames close the connection (1009). */
  signalMaxPayload: number;
  signalMaxTopics: number;
  signalMaxTopicLength: number;
  /** Signaling messages per connection. */
  signalRatePerSec: number;
  signalBurst: number;
  /** WebSocket ping interval; a peer that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
  /** A live client must send `follow` within this time. */
  followTimeoutMs: number;
  /** Events + bytes waiting for one group commit before intake answers 503. */
  maxPendingBytes: number;
  /**
   * Bytes of snapshot uploads held in memory at once (by their Content-Length; one without is
   * reserved at the largest size): an upload that does not fit waits, answered 503 `busy`.
   */
  snapshotMemoryBytes: number;
  /** Use the first X-Forwarded-For address as the client IP (only behind a trusted proxy). */
  trustProxy: boolean;
  /** `redis://…`: keep everything in this Redis, shared with other relay nodes; '' = SQLite. */
  redisUrl: string;
}

export const DEFAULTS: RelayOptions = {
  port: 8787,
  host: '127.0.0.1',
  dataDir: '.data/relay',
  quotaEvents: 1_000_000,
  quotaBytes: 2 * 1024 ** 3,
  maxMailbox: RELAY_LIMITS.maxMailbox,
  intakeRatePerSec: 50,
  intakeBurst: 200,
  registerRatePerSec: 1,
  registerBurst: 30,
  readRatePerSec: 50,
  readBurst: 200,
  connectRatePerSec: 10,
  connectBurst: 100,
  maxConnections: 4096,
  maxConnectionsPerIp: 256,
  maxLiveConnections: 1024,
  maxSignalConnections: 2048,
  signalMaxPayload: 256 * 1024,
  signalMaxTopics: 64,
  signalMaxTopicLength: 512,
  signalRatePerSec: 50,
  signalBurst: 200,
  pingIntervalMs: 30_000,
  followTimeoutMs: 5_000,
  maxPendingBytes: 64 * 1024 * 1024,
  snapshotMemoryBytes: 96 * 1024 * 1024,
  trustProxy: false,
  redisUrl: '',
};

/** Environment variable → option. Numbers must be non-negative integers. */
const ENV: Record<string, keyof RelayOptions> = {
  RELAY_PORT: 'port',
  RELAY_HOST: 'host',
  RELAY_DATA_DIR: 'dataDir',
  RELAY_QUOTA_EVENTS: 'quotaEvents',
  RELAY_QUOTA_BYTES: 'quotaBytes',
  RELAY_MAX_MAILBOX: 'maxMailbox',
  RELAY_RATE_PER_SEC: 'intakeRatePerSec',
  RELAY_RATE_BURST: 'intakeBurst',
  RELAY_REGISTER_RATE_PER_SEC: 'registerRatePerSec',
  RELAY_REGISTER_BURST: 'registerBurst',
  RELAY_READ_RATE_PER_SEC: 'readRatePerSec',
  RELAY_READ_BURST: 'readBurst',
  RELAY_CONNECT_RATE_PER_SEC: 'connectRatePerSec',
  RELAY_CONNECT_BURST: 'connectBurst',
  RELAY_MAX_CONNECTIONS: 'maxConnections',
  RELAY_MAX_CONNECTIONS_PER_IP: 'maxConnectionsPerIp',
  RELAY_MAX_LIVE: 'maxLiveConnections',
  RELAY_MAX_SIGNAL: 'maxSignalConnections',
  RELAY_SIGNAL_MAX_PAYLOAD: 'signalMaxPayload',
  RELAY_SIGNAL_MAX_TOPICS: 'signalMaxTopics',
  RELAY_SIGNAL_RATE_PER_SEC: 'signalRatePerSec',
  RELAY_SIGNAL_BURST: 'signalBurst',
  RELAY_PING_INTERVAL_MS: 'pingIntervalMs',
  RELAY_FOLLOW_TIMEOUT_MS: 'followTimeoutMs',
  RELAY_MAX_PENDING_BYTES: 'maxPendingBytes',
  RELAY_SNAPSHOT_MEMORY: 'snapshotMemoryBytes',
  RELAY_TRUST_PROXY: 'trustProxy',
  RELAY_REDIS_URL: 'redisUrl',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Options from `env` over the defaults; throws ConfigError on a malformed value. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): RelayOptions {
  const options: RelayOptions = { ...DEFAULTS };
  const target = options as unknown as Record<string, string | number | boolean>;
  for (const [name, key] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const current = DEFAULTS[key];
    if (typeof current === 'boolean') {
      if (!/^(0|1|true|false)$/.test(raw)) throw new ConfigError(`${name} must be 0/1/true/false`);
      target[key] = raw === '1' || raw === 'true';
    } else if (typeof current === 'number') {
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) {
        throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
      }
      target[key] = value;
    } else {
      target[key] = raw;
    }
  }
  return checkOptions(options);
}

/** Fills in defaults and rejects combinations that cannot work. */
export function checkOptions(partial: Partial<RelayOptions>): RelayOptions {
  const options = { ...DEFAULTS, ...partial };
  if (options.port > 65535) throw new ConfigError('port must be ≤ 65535');
  if (options.redisUrl !== '' && !/^rediss?:\/\//.test(options.redisUrl)) {
    throw new ConfigError('RELAY_REDIS_URL must be a redis:// or rediss:// URL');
  }
  for (const key of [
    'intakeRatePerSec',
    'registerRatePerSec',
    'readRatePerSec',
    'connectRatePerSec',
    'signalRatePerSec',
    'pingIntervalMs',
    'followTimeoutMs',
  ] as const) {
    if (options[key] <= 0) throw new ConfigError(`${key} must be positive`);
  }
  // A full batch must always fit in an intake bucket, or a legitimate client could never send.
  options.intakeBurst = Math.max(options.intakeBurst, RELAY_LIMITS.maxBatch);
  options.registerBurst = Math.max(options.registerBurst, 1);
  options.readBurst = Math.max(options.readBurst, 1);
  options.connectBurst = Math.max(options.connectBurst, 1);
  options.signalBurst = Math.max(options.signalBurst, 1);
  options.maxPendingBytes = Math.max(options.maxPendingBytes, 4 * RELAY_LIMITS.maxBodyBytes);
  // The largest snapshot always fits on its own.
  options.snapshotMemoryBytes = Math.max(
    options.snapshotMemoryBytes,
    RELAY_LIMITS.maxSnapshotBytes,
  );
  options.signalMaxPayload = Math.max(options.signalMaxPayload, 1024);
  return options;
}
