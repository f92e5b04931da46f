/**
 * Invite links. An invite carries what a new member needs to reach the team: the workspace id,
 * its relay, and the team secret. It lives in the URL fragment (`#/join/<code>`), which browsers
 * never send to any server; whoever holds the link can join, so it is shared like a password.
 */
import { ID_PATTERN } from './names.ts';
import * as v from 'valibot';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';

export interface Invite {
  workspace: string;
  /** Workspace name, for the join screen only (the doc's own name wins once synced). */
  name: string;
  relay: string;
  secret: string;
}

const SECRET = /^[A-Za-z0-9_-]{43}$/;

const inviteSchema = v.object({
  workspace: v.pipe(v.string(), v.regex(ID_PATTERN)),
  name: v.pipe(
    v.string(),
    v.transform((name) => name.slice(0, 100)),
  ),
  relay: v.pipe(v.string(), v.regex(/^https?:\/\//)),
  secret: v.pipe(v.string(), v.regex(SECRET)),
});

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
  // Which part is wrong means nothing to the person holding the link: one message for all.
  const result = v.safeParse(inviteSchema, value, { abortEarly: true });
  if (!result.success) throw new Error('This invite link is incomplete: ask for a new one.');
  return result.output;
}
