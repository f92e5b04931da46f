/**
 * Read tokens: the app presents the token, the relay keeps only its SHA-256 and compares
 * hashes in constant time, so a stolen database does not let anyone read a log.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const TOKEN_HASH = /^[0-9a-f]{64}$/;
const MAX_TOKEN_LENGTH = 512;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** True when `token` hashes to `expectedHash` (64 lowercase hex characters). */
export function checkToken(token: string, expectedHash: string): boolean {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
  const presented = Buffer.from(sha256Hex(token), 'latin1');
  const expected = Buffer.from(expectedHash, 'latin1');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const token = match?.[1];
  return token && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}

/** True when `capability` is the one a mailbox is named after (base64url of its SHA-256). */
export function checkCapability(capability: string, mailbox: string): boolean {
  if (capability.length === 0 || capability.length > MAX_TOKEN_LENGTH) return false;
  const presented = Buffer.from(
    createHash('sha256').update(capability, 'utf8').digest('base64url'),
    'latin1',
  );
  const expected = Buffer.from(mailbox, 'latin1');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
