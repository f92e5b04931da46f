/**
 * The team doc's snapshot as stored on the relay: a Yjs state update, gzipped (captured visits
 * repeat themselves: a tenth of the size), then encrypted with AES-GCM under a key derived from
 * the team secret, the workspace id bound in as additional data.
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
      await pipe(update, new CompressionStream('gzip')),
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
  let pt: ArrayBuffer;
  try {
    pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(1, 13), additionalData: utf8.encode(workspace) },
      key,
      sealed.subarray(13),
    );
  } catch {
    throw new Error('the team snapshot cannot be opened with this team secret');
  }
  return pipe(new Uint8Array(pt), new DecompressionStream('gzip'));
}

async function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  through: CompressionStream | DecompressionStream,
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(through);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
