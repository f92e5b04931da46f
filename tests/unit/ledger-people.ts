/** Team members for ledger tests: an id and a fresh ECDSA P-256 signing key. */
import { publicKeyOf, type PublicKey } from '../../src/core/ledger.ts';

export interface Person {
  id: string;
  key: PublicKey;
  privateKey: CryptoKey;
}

export async function person(id: string): Promise<Person> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  return {
    id,
    key: publicKeyOf(await crypto.subtle.exportKey('jwk', pair.publicKey)),
    privateKey: pair.privateKey,
  };
}
