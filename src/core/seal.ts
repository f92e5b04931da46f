/**
 * Sealed boxes for widget events: anyone with the intake public key can seal, only the team
 * (holding the private key) can open. Ephemeral ECDH P-256 → HKDF-SHA-256 → AES-256-GCM, all
 * WebCrypto. Format: `s1.<ephemeral public key>.<iv>.<ciphertext>`, each part base64url.
 * The workspace id is bound in as additional data so a box cannot be replayed into another
 * workspace's intake.
 */
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';

const PREFIX = 's1';
const INFO = utf8.encode('converge-leads/seal/v1');
const EC = { name: 'ECDH', namedCurve: 'P-256' } as const;

export class SealError extends Error {
  override name = 'SealError';
}

export interface IntakeKeyPair {
  /** Raw uncompressed P-256 point, base64url: goes into the widget snippet. */
  publicKey: string;
  /** JWK of the private key: lives only in the team's encrypted doc. */
  privateKey: JsonWebKey;
}

export async function generateIntakeKeyPair(): Promise<IntakeKeyPair> {
  const pair = await crypto.subtle.generateKey(EC, true, ['deriveBits']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return {
    publicKey: toBase64Url(raw),
    privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey),
  };
}

export function importIntakePrivateKey(jwk: JsonWebKey): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', jwk, EC, false, ['deriveBits']);
}

async function boxKey(
  privateKey: CryptoKey,
  publicRaw: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const peer = await crypto.subtle.importKey('raw', publicRaw, EC, false, []);
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, privateKey, 256);
  const ikm = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt, info: INFO },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

/** Seals `plaintext` to the intake public key (base64url raw point) of workspace `aad`. */
export async function seal(publicKey: string, plaintext: string, aad: string): Promise<string> {
  const recipient = fromBase64Url(publicKey);
  const eph = await crypto.subtle.generateKey(EC, true, ['deriveBits']);
  const epk = new Uint8Array(await crypto.subtle.exportKey('raw', eph.publicKey));
  const key = await boxKey(eph.privateKey, recipient, epk, 'encrypt');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(aad) },
    key,
    utf8.encode(plaintext),
  );
  return [PREFIX, toBase64Url(epk), toBase64Url(iv), toBase64Url(new Uint8Array(ct))].join('.');
}

/** Opens a sealed box; throws SealError for anything malformed, tampered or not ours. */
export async function open(privateKey: CryptoKey, sealed: string, aad: string): Promise<string> {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new SealError('not a sealed box');
  try {
    const [, epkText = '', ivText = '', ctText = ''] = parts;
    const epk = fromBase64Url(epkText);
    const iv = fromBase64Url(ivText);
    const ct = fromBase64Url(ctText);
    const key = await boxKey(privateKey, epk, epk, 'decrypt');
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: utf8.encode(aad) },
      key,
      ct,
    );
    return utf8.decode(new Uint8Array(pt));
  } catch (err) {
    throw new SealError(err instanceof Error ? err.message : 'cannot open box');
  }
}
