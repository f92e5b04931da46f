import { describe, expect, it } from 'vitest';
import { generateIntakeKeyPair, importIntakePrivateKey, open, seal } from '../../src/core/seal.ts';

describe('sealed boxes in Chromium', () => {
  it('seal in the browser, open in the browser', async () => {
    const pair = await generateIntakeKeyPair();
    const box = await seal(pair.publicKey, '{"kind":"pageview"}', 'ws');
    expect(await open(await importIntakePrivateKey(pair.privateKey), box, 'ws')).toBe(
      '{"kind":"pageview"}',
    );
  });
});
