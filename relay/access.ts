/**
 * What every relay route shares: the parts it works with, its error answers, and who may do
 * what — a member's read token, a visitor's mailbox capability, or nobody (the widget's public
 * reads).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ID_PATTERN } from '../src/core/names.ts';
import type { LogEntry, LogPage } from '../src/core/relay-protocol.ts';
import type { RelayOptions } from './config.ts';
import { clientIp, HttpError } from './http.ts';
import type { GroupCommitter } from './intake.ts';
import { retryAfterSeconds, type RateLimiter } from './limits.ts';
import type { LiveHub } from './live.ts';
import type { Store, WorkspaceRow } from './store.ts';
import { bearerToken, checkToken, sha256Hex } from './tokens.ts';
import type { Trimmer } from './trimmer.ts';

export interface RouteContext {
  store: Store;
  options: RelayOptions;
  limiters: Record<'intake' | 'register' | 'read' | 'connect', RateLimiter>;
  live: LiveHub;
  committer: GroupCommitter;
  trimmer: Trimmer;
}

export interface WorkspaceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  id: string;
  /** The mailbox, for `mailboxes/:name`. */
  name: string;
  url: URL;
}
export type Handler = (r: WorkspaceRequest) => Promise<void>;
/** A group of `/v1/workspaces/:id/<resource>` routes, by resource and method. */
export type Resources = Record<string, Record<string, Handler>>;

export const tooMany = (waitMs: number, what: string): HttpError =>
  new HttpError(429, 'rate_limited', `too many ${what}: retry later`, {
    'retry-after': retryAfterSeconds(waitMs),
  });
export const quotaFull = (): HttpError =>
  new HttpError(507, 'quota_exceeded', 'this workspace is over its storage quota', {
    'retry-after': '3600',
  });
export const badWorkspace = (): HttpError =>
  new HttpError(400, 'invalid_workspace', `workspace ids match ${ID_PATTERN.source}`);
export const logTrimmed = (through: number): HttpError =>
  new HttpError(
    410,
    'log_trimmed',
    `the log is trimmed through ${String(through)}: load the snapshot, then read from its cursor`,
    { 'x-log-trimmed-through': String(through) },
  );
export const unknownWorkspace = (): HttpError =>
  new HttpError(404, 'unknown_workspace', 'no such workspace on this relay');

/** A page of a log (the intake log or a mailbox) as clients read it. */
export const logPage = (page: { entries: LogEntry[]; more: boolean }, after: number): LogPage => ({
  events: page.entries,
  cursor: page.entries[page.entries.length - 1]?.seq ?? after,
  more: page.more,
});

/** The secret a request presents: a member's read token, or a visitor's mailbox capability. */
export interface Credential {
  name: string;
  matches: (secret: string, workspace: WorkspaceRow) => boolean | Promise<boolean>;
}

export const READ_TOKEN: Credential = {
  name: 'read token',
  matches: (token, workspace) => checkToken(token, workspace.readTokenHash),
};

/** How routes find a request's workspace, checking what it presents. */
export function workspaceAccess({ store, options, limiters }: RouteContext): {
  authorize: (req: IncomingMessage, id: string, credential?: Credential) => Promise<WorkspaceRow>;
  publicWorkspace: (req: IncomingMessage, id: string) => Promise<WorkspaceRow>;
  formerToken: Credential;
} {
  /** A read token this one or an earlier change of the team secret replaced (or the current). */
  const formerToken: Credential = {
    name: 'read token',
    matches: async (token, workspace) =>
      checkToken(token, workspace.readTokenHash) ||
      (await store.rotationFor(workspace.wid, sha256Hex(token))) !== undefined,
  };

  /** A request's workspace, once the bearer secret is checked (a member's read token unless said). */
  const authorize = async (
    req: IncomingMessage,
    id: string,
    credential: Credential = READ_TOKEN,
  ): Promise<WorkspaceRow> => {
    const secret = bearerToken(req.headers.authorization);
    if (!secret) {
      throw new HttpError(401, 'unauthorized', `send Authorization: Bearer <${credential.name}>`, {
        'www-authenticate': 'Bearer',
      });
    }
    if (!ID_PATTERN.test(id)) throw badWorkspace();
    const wait = limiters.read.take(clientIp(req, options.trustProxy));
    if (wait) throw tooMany(wait, 'reads');
    const workspace = await store.workspace(id);
    if (!workspace) throw unknownWorkspace();
    if (!(await credential.matches(secret, workspace))) {
      throw new HttpError(401, 'unauthorized', `wrong ${credential.name}`, {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    return workspace;
  };

  /** A request's workspace for what anyone may read (the widget has no credentials). */
  const publicWorkspace = async (req: IncomingMessage, id: string): Promise<WorkspaceRow> => {
    if (!ID_PATTERN.test(id)) throw badWorkspace();
    const wait = limiters.read.take(clientIp(req, options.trustProxy));
    if (wait) throw tooMany(wait, 'reads');
    const workspace = await store.workspace(id);
    if (!workspace) throw unknownWorkspace();
    return workspace;
  };

  return { authorize, publicWorkspace, formerToken };
}
