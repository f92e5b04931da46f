import { describe, expect, it } from 'vitest';
import { sha256Hex as relayHash } from '../../relay/tokens.ts';
import { fromBase64Url, sha256, toBase64Url, utf8 } from '../../src/core/bytes.ts';
import { sha256Hex } from '../../src/core/team-keys.ts';

describe('base64url', () => {
  it('writes what Node writes, without padding', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    }
  });

  it.each(['A', 'AAAAA', 'AA=', 'AA+A', 'AA/A', 'AA A', 'AA.A', 'é'])(
    'refuses %j instead of guessing',
    (text) => {
      expect(() => fromBase64Url(text)).toThrow();
    },
  );
});

describe('SHA-256', () => {
  it('gives the standard digest', async () => {
    // FIPS 180-2, appendix B.1.
    expect(toBase64Url(await sha256(utf8.encode('abc')))).toBe(
      Buffer.from(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        'hex',
      ).toString('base64url'),
    );
  });

  it('hashes a read token to the hex the relay compares', async () => {
    for (const token of ['', 'x', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'café ☕']) {
      expect(await sha256Hex(token)).toBe(relayHash(token));
    }
  });
});
