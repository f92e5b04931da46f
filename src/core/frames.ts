/**
 * Framing of large messages for transports with a per-message size limit (WebRTC data
 * channels). A frame is one flag byte — whole message, more to come, or last part — and a
 * payload. Frames of one message must be delivered in order and not interleaved with another's.
 */
const WHOLE = 0;
const MORE = 1;
const LAST = 2;
/** Well under every browser's per-message limit. */
export const FRAME_BYTES = 64 * 1024;

/** Splits one message into frames. */
export function toFrames(message: Uint8Array): Uint8Array<ArrayBuffer>[] {
  if (message.length <= FRAME_BYTES - 1) {
    const frame = new Uint8Array(message.length + 1);
    frame[0] = WHOLE;
    frame.set(message, 1);
    return [frame];
  }
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < message.length; at += FRAME_BYTES - 1) {
    const part = message.subarray(at, at + FRAME_BYTES - 1);
    const frame = new Uint8Array(part.length + 1);
    frame[0] = at + part.length >= message.length ? LAST : MORE;
    frame.set(part, 1);
    frames.push(frame);
  }
  return frames;
}

/** Feeds one frame; returns the message when it is complete. */
export function fromFrame(parts: Uint8Array[], frame: Uint8Array): Uint8Array | undefined {
  const flag = frame[0];
  const body = frame.subarray(1);
  if (flag === WHOLE) return body;
  parts.push(body);
  if (flag !== LAST) return undefined;
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.length;
  }
  parts.length = 0;
  return whole;
}
