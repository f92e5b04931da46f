import { describe, expect, it } from 'vitest';
import { FRAME_BYTES, fromFrame, toFrames } from '../../src/core/frames.ts';

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 255;
  return out;
}

describe('message framing', () => {
  it.each([0, 1, FRAME_BYTES - 2, FRAME_BYTES - 1, FRAME_BYTES, 3 * FRAME_BYTES + 5, 5_000_000])(
    'a %i-byte message survives framing and reassembly byte for byte',
    (n) => {
      const message = bytes(n);
      const frames = toFrames(message);
      for (const f of frames) expect(f.length).toBeLessThanOrEqual(FRAME_BYTES);
      const parts: Uint8Array[] = [];
      const out = frames.map((f) => fromFrame(parts, f));
      expect(out.slice(0, -1).every((m) => m === undefined)).toBe(true);
      const last = out.at(-1);
      expect(last).toBeInstanceOf(Uint8Array);
      // Byte comparison: deep equality over megabytes is far too slow.
      expect(Buffer.compare(Buffer.from(last ?? []), Buffer.from(message))).toBe(0);
      expect(parts).toHaveLength(0);
    },
  );

  it('reassembles consecutive messages independently', () => {
    const a = bytes(2 * FRAME_BYTES, 1);
    const b = bytes(10, 2);
    const c = bytes(FRAME_BYTES + 1, 3);
    const parts: Uint8Array[] = [];
    const got = [...toFrames(a), ...toFrames(b), ...toFrames(c)]
      .map((f) => fromFrame(parts, f))
      .filter((m) => m !== undefined);
    expect(got).toEqual([a, b, c]);
  });

  it('splits anything over one frame: no frame exceeds the data-channel limit', () => {
    expect(toFrames(bytes(FRAME_BYTES * 4)).length).toBe(5);
    expect(toFrames(bytes(100)).length).toBe(1);
  });
});
