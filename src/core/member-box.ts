/**
 * A member's own encryption key pair, and sealing a team secret to it. When the team secret
 * changes (a member removed for good), the admin who changes it seals the new secret to each
 * remaining member's published key (`box` in their signed member record), so only they can
 * open it — the removed member cannot, and neither can the relay that carries it.
 *
 * HPKE (RFC 9180) in base mode, DHKEM P-256 + HKDF-SHA-256 + AES-128-GCM, as the chat uses; who
 * sealed it is proven by the admin's signature on the record that carries it, not by the box.
 * The info string binds the workspace, the new secret's epoch and the recipient, so a box is
 * good for one member, one workspace, one change. Format: `b1.<enc>.<ciphertext>`, base64url.
 */
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { SealError } from './seal.ts';

const PREFIX = 'b1';

const suite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes128Gcm(),
});

/** A member's box key pair: extractable, so a backup can carry it (see backup.ts). */
export function generateBoxKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
}

/** The public half as member records carry it: the raw point, base64url. */
export async function boxKeyText(key: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', key)));
}

function info(workspace: string, epoch: number, member: string): Uint8Array<ArrayBuffer> {
  return utf8.encode(`converge-leads/team-secret/v1\n${workspace}\n${String(epoch)}\n${member}`);
}

/** Seals a team secret to one member's box key. */
export async function sealSecret(
  secret: string,
  to: { member: string; box: string },
  workspace: string,
  epoch: number,
): Promise<string> {
  const recipientPublicKey = await suite.kem.importKey('raw', fromBase64Url(to.box).buffer, true);
  const { enc, ct } = await suite.seal(
    { recipientPublicKey, info: info(workspace, epoch, to.member) },
    utf8.encode(secret),
  );
  return [PREFIX, toBase64Url(new Uint8Array(enc)), toBase64Url(new Uint8Array(ct))].join('.');
}

/** Opens a team secret sealed to this member; throws SealError when it is not theirs. */
export async function openSecret(
  sealed: string,
  me: { member: string; keys: CryptoKeyPair },
  workspace: string,
  epoch: number,
): Promise<string> {
  const [prefix, enc, ct, ...rest] = sealed.split('.');
  if (prefix !== PREFIX || !enc || !ct || rest.length) throw new SealError('not a secret box');
  try {
    const pt = await suite.open(
      {
        recipientKey: me.keys,
        enc: fromBase64Url(enc).buffer,
        info: info(workspace, epoch, me.member),
      },
      fromBase64Url(ct),
    );
    return utf8.decode(new Uint8Array(pt));
  } catch (err) {
    throw new SealError(err instanceof Error ? err.message : 'cannot open the secret');
  }
}
