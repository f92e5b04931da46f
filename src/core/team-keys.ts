/**
 * Everything a member derives from the team secret (the one thing an invite carries):
 * the relay read token (the relay keeps only its hash), the sync room's name and password, and
 * the snapshot key. HKDF-SHA-256 with a distinct label per use, so no two uses share a key.
 */
import { toHexString } from 'lib0/buffer';
import { fromBase64Url, randomId, sha256, toBase64Url, utf8 } from './bytes.ts';

export function newTeamSecret(): string {
  return randomId(32);
}

async function derive(
  teamSecret: string,
  label: string,
  bytes = 32,
): Promise<Uint8Array<ArrayBuffer>> {
  const ikm = await crypto.subtle.importKey('raw', fromBase64Url(teamSecret), 'HKDF', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: utf8.encode(`converge-leads/${label}`),
    },
    ikm,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

/** Bearer token for reading the workspace's intake log on the relay. */
export async function readToken(teamSecret: string): Promise<string> {
  return toBase64Url(await derive(teamSecret, 'read-token/v1'));
}

/** SHA-256 hex: what the relay stores and compares for a read token. */
export async function sha256Hex(text: string): Promise<string> {
  return toHexString(await sha256(utf8.encode(text)));
}

/** Password for the team's sync room (y-webrtc derives its own key from it). */
export async function roomPassword(teamSecret: string): Promise<string> {
  return toBase64Url(await derive(teamSecret, 'room-password/v1'));
}

/**
 * The sync room's name. Room names travel in clear through signaling, so it is derived from
 * the secret too: knowing the (public) workspace id is not enough to even find the room.
 */
export async function roomName(teamSecret: string): Promise<string> {
  return `converge-${toBase64Url(await derive(teamSecret, 'room-name/v1', 16))}`;
}

/** AES-GCM key for the team doc snapshot stored on the relay. */
export async function snapshotKey(teamSecret: string): Promise<CryptoKey> {
  const raw = await derive(teamSecret, 'snapshot-key/v1');
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}
