/**
 * WebRTC signaling (`/signal`), wire-compatible with y-webrtc's bin/server.js so that
 * y-webrtc's own client works unchanged:
 *   {type:'subscribe'|'unsubscribe', topics:[…]}
 *   {type:'publish', topic, data} → sent to every subscriber of topic, sender included, with
 *                                    `clients` (number of subscribers) added
 *   {type:'ping'} → {type:'pong'}
 * Unlike theirs it survives bad input (bad JSON, wrong types: answered with
 * {type:'error', error, message}), and bounds everything: payload size, topics per connection,
 * messages per second, connections, and the data queued for a slow receiver. With several
 * relay nodes, a publish also reaches the topic's subscribers on the other nodes (`Bus`).
 */
import * as v from 'valibot';
import type { RawData, WebSocket } from 'ws';
import type { RelayErrorCode, SignalServerMessage } from '../src/core/relay-protocol.ts';
import { check, says, shape } from './checks.ts';
import { TokenBucket } from './limits.ts';
import { rawText, SocketSet } from './sockets.ts';

const NOT_TOPIC = says('bad_message', 'must be a non-empty string');

/** The messages y-webrtc's client sends; `data` and any other field of a publish pass as is. */
const signalMessage = v.variant(
  'type',
  [
    shape({
      type: v.literal('subscribe'),
      topics: v.array(v.unknown(), says('bad_message', 'must be an array of strings')),
    }),
    // y-webrtc's server ignores an unsubscribe without a list of topics: so does this one.
    shape({ type: v.literal('unsubscribe'), topics: v.fallback(v.array(v.unknown()), []) }),
    shape({
      type: v.literal('publish'),
      topic: v.pipe(v.string(NOT_TOPIC), v.minLength(1, NOT_TOPIC)),
    }),
    shape({ type: v.literal('ping') }),
  ],
  // Without a path the message itself is not an object; with one, its type is unknown.
  (issue) =>
    issue.path
      ? says('bad_message', 'must be subscribe, unsubscribe, publish or ping')
      : says('bad_message', 'must be a JSON object'),
);

/** How signaling frames travel between relay nodes (the store's bus; nothing for one node). */
export interface Bus {
  publishSignal(topic: string, frame: string): void;
  onSignal(listener: (topic: string, frame: string) => void): void;
}

export interface SignalingOptions {
  maxPayload: number;
  maxTopics: number;
  maxTopicLength: number;
  ratePerSec: number;
  burst: number;
  pingIntervalMs: number;
}

interface Peer {
  ws: WebSocket;
  topics: Set<string>;
  bucket: TokenBucket;
  /** Whether the client was already told it is over its rate (told once per episode). */
  throttled: boolean;
}

export class SignalingHub {
  readonly #options: SignalingOptions;
  readonly #topics = new Map<string, Set<Peer>>();
  readonly #sockets: SocketSet;
  /** A receiver with more than this queued is not keeping up: it is dropped (and reconnects). */
  readonly #maxQueued: number;
  /** Messages relayed since start (for /health). */
  published = 0;

  readonly #bus: Bus;

  constructor(options: SignalingOptions, bus: Bus) {
    this.#options = options;
    this.#bus = bus;
    this.#sockets = new SocketSet(options.pingIntervalMs);
    this.#maxQueued = Math.max(1024 * 1024, 4 * options.maxPayload);
    bus.onSignal((topic, frame) => {
      const receivers = this.#topics.get(topic);
      if (!receivers) return;
      const data = Buffer.from(frame);
      for (const receiver of receivers) this.#send(receiver, data);
    });
  }

  get connections(): number {
    return this.#sockets.size;
  }

  get topics(): number {
    return this.#topics.size;
  }

  accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    const peer: Peer = {
      ws,
      topics: new Set(),
      bucket: new TokenBucket(this.#options.ratePerSec, this.#options.burst),
      throttled: false,
    };
    ws.on('close', () => {
      for (const topic of peer.topics) this.#leave(peer, topic);
      peer.topics.clear();
    });
    ws.on('message', (data: RawData) => {
      this.#sockets.seen(ws);
      if (!peer.bucket.take()) {
        if (!peer.throttled) {
          peer.throttled = true;
          this.#error(peer, 'rate_limited', 'too many messages: some were dropped');
        }
        return;
      }
      peer.throttled = false;
      this.#onMessage(peer, data);
    });
  }

  #onMessage(peer: Peer, data: RawData): void {
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      this.#error(peer, 'bad_json', 'the message is not valid JSON');
      return;
    }
    const checked = check(signalMessage, message, 'the message', 'bad_message');
    if (!checked.ok) {
      this.#error(peer, checked.error, checked.message);
      return;
    }
    const m = checked.value;
    switch (m.type) {
      case 'subscribe':
        this.#subscribe(peer, m.topics);
        return;
      case 'unsubscribe':
        for (const topic of m.topics) {
          if (typeof topic === 'string' && peer.topics.delete(topic)) this.#leave(peer, topic);
        }
        return;
      case 'publish':
        // Relayed as sent, every field of it: y-webrtc's messages are not ours to trim.
        this.#publish(peer, m.topic, message as Record<string, unknown>);
        return;
      case 'ping':
        this.#send(peer, JSON.stringify({ type: 'pong' } satisfies SignalServerMessage));
        return;
    }
  }

  /** Joins each topic in turn; entries that are not topics are skipped, as y-webrtc's server does. */
  #subscribe(peer: Peer, topics: readonly unknown[]): void {
    for (const topic of topics) {
      if (typeof topic !== 'string' || topic.length === 0) continue;
      if (topic.length > this.#options.maxTopicLength) {
        this.#error(peer, 'bad_topic', `topics are at most ${this.#options.maxTopicLength} chars`);
        continue;
      }
      if (peer.topics.has(topic)) continue;
      if (peer.topics.size >= this.#options.maxTopics) {
        this.#error(peer, 'too_many_topics', `at most ${this.#options.maxTopics} topics`);
        return;
      }
      peer.topics.add(topic);
      let subscribers = this.#topics.get(topic);
      if (!subscribers) this.#topics.set(topic, (subscribers = new Set()));
      subscribers.add(peer);
    }
  }

  #publish(peer: Peer, topic: string, message: Record<string, unknown>): void {
    const receivers = this.#topics.get(topic);
    // Serialized once for every receiver; sent as a text frame from the same buffer. A message
    // nested deeper than the engine's stack (it parses, but cannot be written again) is refused
    // here, and the peer goes on as before. (`clients` counts this node's subscribers.)
    let text: string;
    try {
      text = JSON.stringify({ ...message, clients: receivers?.size ?? 0 });
    } catch {
      this.#error(peer, 'bad_message', 'the message is nested too deeply');
      return;
    }
    const frame = Buffer.from(text);
    for (const receiver of receivers ?? []) this.#send(receiver, frame);
    this.#bus.publishSignal(topic, text);
    this.published++;
  }

  #send(peer: Peer, data: string | Buffer): void {
    const ws = peer.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.#maxQueued) {
      ws.terminate();
      return;
    }
    ws.send(data, { binary: false });
  }

  #error(peer: Peer, error: RelayErrorCode, message: string): void {
    this.#send(
      peer,
      JSON.stringify({ type: 'error', error, message } satisfies SignalServerMessage),
    );
  }

  #leave(peer: Peer, topic: string): void {
    const subscribers = this.#topics.get(topic);
    if (!subscribers) return;
    subscribers.delete(peer);
    if (subscribers.size === 0) this.#topics.delete(topic);
  }

  close(): void {
    this.#sockets.close();
  }

  terminate(): void {
    this.#sockets.terminate();
  }
}
