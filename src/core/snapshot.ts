/**
 * The team doc's snapshot as stored on the relay: a Yjs state update encrypted with AES-GCM
 * under a key derived from the team secret, the workspace id bound in as additional data.
 * Format: `0x01 | iv (12 bytes) | ciphertext`. The relay holds it and can read nothing of it.
 */
import { utf8 } from './bytes.ts';

const VERSION = 1;

export async function encryptSnapshot(
  key: CryptoKey,
  workspace: string,
  update: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8.encode(workspace) },
      key,
      update,
    ),
  );
  const out = new Uint8Array(1 + iv.length + ct.length);
  out[0] = VERSION;
  out.set(iv, 1);
  out.set(ct, 1 + iv.length);
  return out;
}

/** Opens a snapshot; throws when it is not this team's (wrong secret, other workspace, damage). */
export async function decryptSnapshot(
  key: CryptoKey,
  workspace: string,
  sealed: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  if (sealed.length < 1 + 12 + 16 || sealed[0] !== VERSION) {
    throw new Error('not a team snapshot');
  }
  try {
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(1, 13), additionalData: utf8.encode(workspace) },
      key,
      sealed.subarray(13),
    );
    return new Uint8Array(pt);
  } catch {
    throw new Error('the team snapshot cannot be opened with this team secret');
  }
}
