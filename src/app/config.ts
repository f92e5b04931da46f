/**
 * Deployment settings, read from `config.json` beside the app's static files so one build can
 * be hosted anywhere: which relay new workspaces use, and (in the local demo) the demo site.
 */
export interface AppConfig {
  relayUrl: string;
  demoUrl?: string;
  /**
   * Runs the team's work as if this much later (ms): to try retention sweeps without waiting
   * days (the demo's and the tests' stack sets it). Absent: the browser's own clock.
   */
  clockOffsetMs?: number;
}

const FALLBACK: AppConfig = { relayUrl: 'http://127.0.0.1:8787' };

export async function loadConfig(): Promise<AppConfig> {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) return FALLBACK;
    const data = (await res.json()) as Partial<AppConfig>;
    return {
      relayUrl: typeof data.relayUrl === 'string' ? data.relayUrl : FALLBACK.relayUrl,
      ...(typeof data.demoUrl === 'string' ? { demoUrl: data.demoUrl } : {}),
      ...(Number.isSafeInteger(data.clockOffsetMs) ? { clockOffsetMs: data.clockOffsetMs } : {}),
    };
  } catch {
    return FALLBACK;
  }
}
