/** Calls the app makes to the relay over HTTP (the live log has its own follower). */
import type { ErrorBody, RegisterRequest, SnapshotInfo } from './relay-protocol.ts';

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

async function fail(res: Response): Promise<never> {
  const err = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
  throw new RelayError(res.status, err.error ?? 'relay_error', err.message ?? res.statusText);
}

/** Registers the workspace and the hash of its read token; safe to repeat. */
export async function registerWorkspace(relayUrl: string, body: RegisterRequest): Promise<void> {
  const res = await fetch(new URL('/v1/workspaces', relayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) await fail(res);
}

/** The latest encrypted team snapshot, or undefined when the team has stored none yet. */
export async function downloadSnapshot(
  relayUrl: string,
  workspace: string,
  token: string,
): Promise<{ version: number; bytes: Uint8Array<ArrayBuffer> } | undefined> {
  const res = await fetch(new URL(`/v1/workspaces/${workspace}/snapshot`, relayUrl), {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status === 404) {
    const body = (await res
      .clone()
      .json()
      .catch(() => ({}))) as Partial<ErrorBody>;
    if (body.error === 'no_snapshot') return undefined;
  }
  if (!res.ok) await fail(res);
  const version = Number(res.headers.get('x-snapshot-version') ?? 0);
  return { version, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Stores an encrypted team snapshot; answers the version the relay now holds. */
export async function uploadSnapshot(
  relayUrl: string,
  workspace: string,
  token: string,
  bytes: Uint8Array<ArrayBuffer>,
  /** The version this snapshot extends: the relay refuses (409) when it holds a newer one. */
  extends_: number,
): Promise<number> {
  const res = await fetch(new URL(`/v1/workspaces/${workspace}/snapshot`, relayUrl), {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      'if-match': String(extends_),
    },
    body: bytes,
  });
  if (!res.ok) await fail(res);
  const info = (await res.json()) as SnapshotInfo;
  return info.version;
}
