/**
 * Deployment settings, read from `config.json` beside the app's static files so one build can
 * be hosted anywhere: which relay new workspaces use, and (in the local demo) the demo site.
 */
export interface AppConfig {
  relayUrl: string;
  demoUrl?: string;
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
    };
  } catch {
    return FALLBACK;
  }
}
