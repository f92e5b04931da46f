/**
 * Byte helpers shared by the widget, the app and the relay: base64url, random ids, SHA-256.
 *
 * base64url is built on the platform's btoa/atob rather than lib0/buffer: lib0 (0.2.120) picks
 * Node's `Buffer` wherever there is no `window`, so it throws in the team worker, and its Node
 * decoder accepts any junk where this one refuses it (signatures and keys are decoded with it).
 */

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  // In slices: an argument list has a limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url without padding; throws on any character outside the alphabet. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  // atob alone would also take padding, `+`, `/` and white space.
  if (!/^[\w-]*$/.test(text) || text.length % 4 === 1) throw new Error('invalid base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** A random id of `bytes` random bytes, base64url (16 bytes → 22 characters). */
export function randomId(bytes = 16): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 (WebCrypto) of some bytes. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export const utf8 = {
  encode: (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => new TextDecoder().decode(bytes),
};
