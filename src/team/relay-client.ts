/**
 * Calls the team worker makes to the relay over HTTP (the live log has its own follower).
 * Every failure is a `RelayError` whose code is one of the relay's error codes, or `network`
 * when the relay could not be reached.
 */
import { CodedError } from '../contracts/errors.ts';
import type {
  ErrorBody,
  MailRequest,
  RegisterRequest,
  RelayErrorCode,
  SnapshotInfo,
} from '../core/relay-protocol.ts';
import type { PublishedChain } from '../core/ledger.ts';
import type { PublishedWidget } from '../core/widget-chain.ts';

export class RelayError extends CodedError {
  override name = 'RelayError';
  constructor(
    readonly status: number,
    override readonly code: RelayErrorCode | 'network',
    message: string,
  ) {
    super(code, message);
  }
}

async function call(url: URL, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new RelayError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
  // An answer that is not the relay's own (a proxy's page, say) still gets a code.
  const code = (typeof body.error === 'string' ? body.error : 'internal') as RelayErrorCode;
  throw new RelayError(res.status, code, body.message ?? res.statusText);
}

/** Registers the workspace and the hash of its read token; safe to repeat. */
export async function registerWorkspace(relayUrl: string, body: RegisterRequest): Promise<void> {
  await call(new URL('/v1/workspaces', relayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The latest encrypted team snapshot, or undefined when the team has stored none yet. */
export async function downloadSnapshot(
  relayUrl: string,
  workspace: string,
  token: string,
): Promise<{ version: number; bytes: Uint8Array<ArrayBuffer> } | undefined> {
  let res: Response;
  try {
    res = await call(new URL(`/v1/workspaces/${workspace}/snapshot`, relayUrl), {
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (err) {
    if (err instanceof RelayError && err.code === 'no_snapshot') return undefined;
    throw err;
  }
  const version = Number(res.headers.get('x-snapshot-version') ?? 0);
  return { version, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** What snapshot the relay holds (its headers only): version and size, or null for none. */
export async function snapshotOnRelay(
  relayUrl: string,
  workspace: string,
  token: string,
): Promise<{ version: number; bytes: number } | null> {
  try {
    const res = await call(new URL(`/v1/workspaces/${workspace}/snapshot`, relayUrl), {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    return {
      version: Number(res.headers.get('x-snapshot-version') ?? 0),
      bytes: Number(res.headers.get('content-length') ?? 0),
    };
  } catch (err) {
    if (err instanceof RelayError && err.status === 404) return null;
    throw err;
  }
}

/** Stores an encrypted team snapshot; answers the version the relay now holds. */
export async function uploadSnapshot(
  relayUrl: string,
  workspace: string,
  token: string,
  bytes: Uint8Array<ArrayBuffer>,
  /** The version this snapshot extends: the relay refuses (409) when it holds a newer one. */
  extends_: number,
  /** The log seq the snapshot holds every fact up to: the relay may trim the log that far. */
  covers: number,
): Promise<number> {
  const res = await call(new URL(`/v1/workspaces/${workspace}/snapshot`, relayUrl), {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      'if-match': String(extends_),
      'x-snapshot-covers': String(covers),
    },
    body: bytes,
  });
  const info = (await res.json()) as SnapshotInfo;
  return info.version;
}

/** Posts a sealed team reply to a visitor's mailbox; safe to repeat (stored once per id). */
export async function postMail(
  relayUrl: string,
  workspace: string,
  token: string,
  mailbox: string,
  item: MailRequest,
): Promise<void> {
  await call(new URL(`/v1/workspaces/${workspace}/mailboxes/${mailbox}`, relayUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(item),
  });
}

/** The widget settings the team published (public), or undefined when there are none. */
export async function publishedWidget(relayUrl: string, workspace: string): Promise<unknown> {
  try {
    return await (await call(new URL(`/v1/workspaces/${workspace}/widget`, relayUrl))).json();
  } catch (err) {
    if (err instanceof RelayError && err.code === 'no_widget_settings') return undefined;
    throw err;
  }
}

/** Publishes the widget settings' signed chain for the widget. */
export async function publishWidget(
  relayUrl: string,
  workspace: string,
  token: string,
  chain: PublishedWidget,
): Promise<void> {
  await call(new URL(`/v1/workspaces/${workspace}/widget`, relayUrl), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(chain),
  });
}

/** Switches the workspace to a new team secret's token, proven by the removal's chain. */
export async function rotateToken(
  relayUrl: string,
  workspace: string,
  token: string,
  chain: PublishedChain,
): Promise<void> {
  await call(new URL(`/v1/workspaces/${workspace}/rotate`, relayUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(chain),
  });
}

/** The change of team secret that replaced `token` (undefined: it is the current one). */
export async function readRotation(
  relayUrl: string,
  workspace: string,
  token: string,
): Promise<{ epoch: number; chain: unknown } | undefined> {
  try {
    const res = await call(new URL(`/v1/workspaces/${workspace}/rotation`, relayUrl), {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()) as { epoch: number; chain: unknown };
  } catch (err) {
    if (err instanceof RelayError && err.code === 'no_rotation') return undefined;
    throw err;
  }
}
