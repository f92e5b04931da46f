/**
 * Keeps this browser's copy of the team doc in step with the others, with the Yjs sync
 * protocol (y-protocols), over links: teammates' browsers (WebRTC data channels, which only the
 * page can hold — it forwards their bytes) and this person's other tabs (a BroadcastChannel).
 * A link opens with sync step 1 (our state vector); the other side answers with what we lack
 * (step 2) and asks the same of us; after that each side sends its own changes as they happen.
 * Changes that came from a link are not passed on: every teammate's browser links to every
 * other, and every tab to the person's other tabs, so each already has them first-hand.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as sync from 'y-protocols/sync';
import type * as Y from 'yjs';

/** Origin of changes received over a link. */
export const FROM_LINK = Symbol('from-link');

export class DocLinks {
  readonly #doc: Y.Doc;
  readonly #toPeer: (link: number, bytes: Uint8Array) => void;
  readonly #peers = new Set<number>();
  readonly #tabs: BroadcastChannel;
  /** Messages a link sent that could not be read (a broken or hostile peer). */
  unreadable = 0;
  /** Told the new count whenever an unreadable message arrives. */
  onUnreadable: (count: number) => void = () => {};

  constructor(doc: Y.Doc, tabChannel: string, toPeer: (link: number, bytes: Uint8Array) => void) {
    this.#doc = doc;
    this.#toPeer = toPeer;
    this.#tabs = new BroadcastChannel(tabChannel);
    this.#tabs.onmessage = (event: MessageEvent<unknown>) => {
      if (!(event.data instanceof Uint8Array)) return;
      // Replies go to every tab: the channel has no addresses (each applies what it lacks).
      const reply = this.#read(event.data);
      if (reply) this.#tabs.postMessage(reply);
    };
    this.#tabs.postMessage(this.#step1());
  }

  /** A teammate's browser connected: ask for what we lack (they ask the same of us). */
  opened(link: number): void {
    this.#peers.add(link);
    this.#toPeer(link, this.#step1());
  }

  closed(link: number): void {
    this.#peers.delete(link);
  }

  /** Bytes from a teammate's browser; a link's first bytes may come before it says it opened. */
  received(link: number, bytes: Uint8Array): void {
    if (!this.#peers.has(link)) this.opened(link);
    const reply = this.#read(bytes);
    if (reply) this.#toPeer(link, reply);
  }

  /** A change made here (not received over a link): send it to every link. */
  changed(update: Uint8Array, origin: unknown): void {
    if (origin === FROM_LINK) return;
    const encoder = encoding.createEncoder();
    sync.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const link of this.#peers) this.#toPeer(link, message);
    this.#tabs.postMessage(message);
  }

  #step1(): Uint8Array {
    const encoder = encoding.createEncoder();
    sync.writeSyncStep1(encoder, this.#doc);
    return encoding.toUint8Array(encoder);
  }

  /** Applies one message; returns the reply to send, if any. */
  #read(bytes: Uint8Array): Uint8Array | undefined {
    const encoder = encoding.createEncoder();
    const unreadable = (): void => {
      this.unreadable++;
      this.onUnreadable(this.unreadable);
    };
    try {
      sync.readSyncMessage(
        decoding.createDecoder(bytes),
        encoder,
        this.#doc,
        FROM_LINK,
        unreadable,
      );
    } catch {
      unreadable();
      return undefined;
    }
    return encoding.length(encoder) > 0 ? encoding.toUint8Array(encoder) : undefined;
  }

  destroy(): void {
    this.#tabs.close();
    this.#peers.clear();
  }
}
