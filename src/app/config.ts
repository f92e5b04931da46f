/**
 * Deployment settings, read from `config.json` beside the app's static files so one build can
 * be hosted anywhere: which relay new workspaces use, the STUN/TURN servers teammates' browsers
 * may use to reach each other, and (in the local demo) the demo site.
 */
import * as v from 'valibot';

export interface AppConfig {
  relayUrl: string;
  demoUrl?: string;
  /**
   * The ICE (STUN/TURN) servers given to WebRTC: none unless the host names some, so no
   * browser contacts a third party behind its user's back. Teammates on one network connect
   * without any; across NATs a team needs a STUN or TURN server it runs or chooses.
   */
  iceServers: RTCIceServer[];
  /**
   * Runs the team's work as if this much later (ms): to try retention sweeps without waiting
   * days (the demo's and the tests' stack sets it). Absent: the browser's own clock.
   */
  clockOffsetMs?: number;
}

const FALLBACK: AppConfig = { relayUrl: 'http://127.0.0.1:8787', iceServers: [] };

const iceUrl = v.pipe(v.string(), v.regex(/^(stun|stuns|turn|turns):\S+$/));
const iceServer = v.object({
  urls: v.union([iceUrl, v.pipe(v.array(iceUrl), v.minLength(1))]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});
const configSchema = v.object({
  relayUrl: v.optional(v.string(), FALLBACK.relayUrl),
  demoUrl: v.optional(v.string()),
  iceServers: v.optional(v.array(iceServer), []),
  clockOffsetMs: v.optional(v.pipe(v.number(), v.safeInteger())),
});

/** Reads a config.json's contents; a file that is not valid falls back whole (and says why). */
export function parseConfig(data: unknown): AppConfig {
  const result = v.safeParse(configSchema, data);
  if (result.success) {
    const { demoUrl, clockOffsetMs, ...config } = result.output;
    return {
      ...config,
      ...(demoUrl === undefined ? {} : { demoUrl }),
      ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }),
    };
  }
  console.error('config.json is not valid, using the defaults:', v.summarize(result.issues));
  return FALLBACK;
}

export async function loadConfig(): Promise<AppConfig> {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) return FALLBACK;
    return parseConfig(await res.json());
  } catch {
    return FALLBACK;
  }
}
