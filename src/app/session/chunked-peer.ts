/**
 * Large sync messages over WebRTC. y-webrtc hands each whole sync message to simple-peer, and
 * Chromium silently drops a data-channel message over ~256 KiB while both sides still look
 * connected — a workspace's first sync is many megabytes. So every message is cut into frames,
 * queued per connection and sent as the channel drains (a full send buffer closes the channel),
 * and reassembled on the other side before y-webrtc sees it. Both ends run this code: a peer
 * without it cannot join the room anyway (the room password comes from the same app).
 * The channel is ordered and reliable, and each connection sends its frames strictly in queue
 * order, so a message's frames arrive together and in order.
 *
 * The team doc's own sync messages (see the team worker's DocLinks) share the channel, marked
 * by a first byte no y-webrtc message starts with; they go to `onDocMessage`, not to y-webrtc.
 */
import Peer from 'simple-peer/simplepeer.min.js';
import { FRAME_BYTES, fromFrame, toFrames } from '../../core/frames.ts';

/** Pause sending above this much queued in the channel; resume when it drains. */
const HIGH_WATER = 1024 * 1024;

/** First byte of a team-doc sync message (y-webrtc's message types are 0–4). */
const DOC_MESSAGE = 0x7e;

export interface ChannelPeer {
  destroyed: boolean;
  destroying: boolean;
  _channel: RTCDataChannel | null;
  push(chunk: Uint8Array): boolean;
  /** Our state, added to simple-peer's peer object. */
  framing?: { out: Uint8Array<ArrayBuffer>[]; parts: Uint8Array[]; draining: boolean };
}

function stateOf(peer: ChannelPeer): NonNullable<ChannelPeer['framing']> {
  peer.framing ??= { out: [], parts: [], draining: false };
  return peer.framing;
}

function pump(peer: ChannelPeer): void {
  const state = stateOf(peer);
  const channel = peer._channel;
  if (!channel || peer.destroyed || peer.destroying) return;
  while (state.out.length && channel.readyState === 'open') {
    if (channel.bufferedAmount > HIGH_WATER) {
      if (!state.draining) {
        state.draining = true;
        channel.bufferedAmountLowThreshold = FRAME_BYTES;
        channel.addEventListener(
          'bufferedamountlow',
          () => {
            state.draining = false;
            pump(peer);
          },
          { once: true },
        );
      }
      return;
    }
    const frame = state.out.shift();
    if (frame) channel.send(frame);
  }
}

let installed = false;
let docReceiver: (peer: ChannelPeer, bytes: Uint8Array) => void = () => {};

/** Sends a team-doc sync message to one peer. */
export function sendDocMessage(peer: ChannelPeer, bytes: Uint8Array): void {
  const message = new Uint8Array(bytes.length + 1);
  message[0] = DOC_MESSAGE;
  message.set(bytes, 1);
  (peer as unknown as { send(data: Uint8Array): void }).send(message);
}

/**
 * Installs framing on simple-peer, the one place y-webrtc sends and receives data; team-doc
 * sync messages received go to `onDocMessage`.
 */
export function installChunkedPeers(
  onDocMessage: (peer: ChannelPeer, bytes: Uint8Array) => void,
): void {
  docReceiver = onDocMessage;
  if (installed) return;
  installed = true;
  const proto = (Peer as { prototype: Record<string, unknown> }).prototype;
  proto.send = function (this: ChannelPeer, data: Uint8Array | string): void {
    if (this.destroying || this.destroyed) return;
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    stateOf(this).out.push(...toFrames(bytes));
    pump(this);
  };
  proto._onChannelMessage = function (this: ChannelPeer, event: MessageEvent): void {
    if (this.destroyed) return;
    const data: unknown = event.data;
    if (!(data instanceof ArrayBuffer)) return;
    const message = fromFrame(stateOf(this).parts, new Uint8Array(data));
    if (!message) return;
    if (message[0] === DOC_MESSAGE) docReceiver(this, message.subarray(1));
    else this.push(message);
  };
}
