/** Calls the app makes to the relay over HTTP (the live log has its own follower). */
import type { ErrorBody, RegisterRequest } from '../../core/relay-protocol.ts';

export class RelayError extends Error {
  override name = 'RelayError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Registers the workspace and the hash of its read token; safe to repeat. */
export async function registerWorkspace(relayUrl: string, body: RegisterRequest): Promise<void> {
  const res = await fetch(new URL('/v1/workspaces', relayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.ok) return;
  const err = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
  throw new RelayError(res.status, err.error ?? 'relay_error', err.message ?? res.statusText);
}
