import { describe, expect, it } from 'vitest';
import {
  generateIntakeKeyPair,
  importIntakePrivateKey,
  open,
  seal,
  SealError,
} from '../../src/core/seal.ts';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes.ts';

describe('sealed boxes', () => {
  it('opens what was sealed to its public key', async () => {
    const pair = await generateIntakeKeyPair();
    const box = await seal(pair.publicKey, 'hello visitor', 'ws1');
    const key = await importIntakePrivateKey(pair.privateKey);
    expect(await open(key, box, 'ws1')).toBe('hello visitor');
  });

  it('refuses a box moved to another workspace', async () => {
    const pair = await generateIntakeKeyPair();
    const box = await seal(pair.publicKey, 'x', 'ws1');
    const key = await importIntakePrivateKey(pair.privateKey);
    await expect(open(key, box, 'ws2')).rejects.toBeInstanceOf(SealError);
  });

  it('refuses a box for another key, a tampered box and garbage', async () => {
    const a = await generateIntakeKeyPair();
    const b = await generateIntakeKeyPair();
    const box = await seal(a.publicKey, 'secret', 'ws');
    const keyB = await importIntakePrivateKey(b.privateKey);
    await expect(open(keyB, box, 'ws')).rejects.toBeInstanceOf(SealError);
    const keyA = await importIntakePrivateKey(a.privateKey);
    const parts = box.split('.');
    const ct = fromBase64Url(parts[3] ?? '');
    ct[0] = (ct[0] ?? 0) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], toBase64Url(ct)].join('.');
    await expect(open(keyA, tampered, 'ws')).rejects.toBeInstanceOf(SealError);
    for (const junk of ['', 's1', 's1.a.b.c', 'x.y.z.w', 's1.!!.??.**']) {
      await expect(open(keyA, junk, 'ws')).rejects.toBeInstanceOf(SealError);
    }
  });

  it('never puts the plaintext in the box', async () => {
    const pair = await generateIntakeKeyPair();
    const box = await seal(pair.publicKey, 'utm_source=linkedin', 'ws');
    expect(box).not.toContain('linkedin');
  });
});

describe('base64url', () => {
  it.each([0, 1, 2, 3, 4, 31, 32, 65])('round-trips %i bytes', (n) => {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });
});
