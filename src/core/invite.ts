/**
 * Invite links. An invite carries what a new member needs to reach the team: the workspace id,
 * its relay, and the team secret. It lives in the URL fragment (`#/join/<code>`), which browsers
 * never send to any server; whoever holds the link can join, so it is shared like a password.
 */
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';

export interface Invite {
  workspace: string;
  /** Workspace name, for the join screen only (the doc's own name wins once synced). */
  name: string;
  relay: string;
  secret: string;
}

const ID = /^[A-Za-z0-9_-]{16,64}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function encodeInvite(invite: Invite): string {
  return toBase64Url(utf8.encode(JSON.stringify(invite)));
}

/** Reads an invite code; throws an error a person can read when it is damaged. */
export function decodeInvite(code: string): Invite {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(fromBase64Url(code.trim())));
  } catch {
    throw new Error('This invite link is damaged: ask for a new one.');
  }
  const v = (value ?? {}) as Record<string, unknown>;
  const { workspace, name, relay, secret } = v;
  if (
    typeof workspace !== 'string' ||
    !ID.test(workspace) ||
    typeof secret !== 'string' ||
    !SECRET.test(secret) ||
    typeof relay !== 'string' ||
    !/^https?:\/\//.test(relay) ||
    typeof name !== 'string'
  ) {
    throw new Error('This invite link is incomplete: ask for a new one.');
  }
  return { workspace, name: name.slice(0, 100), relay, secret };
}
