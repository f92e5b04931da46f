/**
 * Keeps this browser's copy of the team doc in step with the others, with the Yjs sync
 * protocol (y-protocols), over links: teammates' browsers (WebRTC data channels, which only the
 * page can hold — it forwards their bytes) and this person's other tabs (a BroadcastChannel).
 * A link opens with sync step 1 (our state vector); the other side answers with what we lack
 * (step 2) and asks the same of us; after that each side sends its changes as they happen.
 *
 * A change received over one link is passed on to every other link: y-webrtc caps a browser's
 * connections, so in a larger team not every browser links to every other, and a change must
 * travel through the ones that do. A browser that already has a change ignores it (Yjs applies
 * nothing and reports no update), so passing on ends there.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ObservableV2 } from 'lib0/observable';
import * as sync from 'y-protocols/sync';
import type * as Y from 'yjs';

/** Origin of changes received over a link: which one. */
class FromLink {
  constructor(readonly link: number | 'tabs') {}
}

export interface DocLinksEvents {
  /** The count of messages a link sent that could not be read (a broken or hostile peer). */
  unreadable: (count: number) => void;
}

/** Where a link's bytes go: a teammate's browser (by the page's link number). */
export type SendToPeer = (link: number, bytes: Uint8Array) => void;

/** The BroadcastChannel part the tabs' link uses (a fake one in simulations). */
export interface TabChannel {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  postMessage(message: unknown): void;
  close(): void;
}

export class DocLinks extends ObservableV2<DocLinksEvents> {
  readonly #doc: Y.Doc;
  readonly #toPeer: SendToPeer;
  readonly #peers = new Map<number, FromLink>();
  readonly #tabs: TabChannel;
  readonly #fromTabs = new FromLink('tabs');
  #unreadable = 0;

  constructor(doc: Y.Doc, tabs: TabChannel, toPeer: SendToPeer) {
    super();
    this.#doc = doc;
    this.#toPeer = toPeer;
    this.#tabs = tabs;
    this.#tabs.addEventListener('message', (event) => {
      if (!(event.data instanceof Uint8Array)) return;
      // Replies go to every tab: the channel has no addresses (each applies what it lacks).
      const reply = this.#read(event.data, this.#fromTabs);
      if (reply) this.#tabs.postMessage(reply);
    });
    this.#tabs.postMessage(this.#step1());
  }

  get unreadable(): number {
    return this.#unreadable;
  }

  /** A teammate's browser connected: ask for what we lack (they ask the same of us). */
  opened(link: number): void {
    if (!this.#peers.has(link)) this.#peers.set(link, new FromLink(link));
    this.#toPeer(link, this.#step1());
  }

  closed(link: number): void {
    this.#peers.delete(link);
  }

  /** Bytes from a teammate's browser; a link's first bytes may come before it says it opened. */
  received(link: number, bytes: Uint8Array): void {
    if (!this.#peers.has(link)) this.opened(link);
    const origin = this.#peers.get(link);
    if (!origin) return;
    const reply = this.#read(bytes, origin);
    if (reply) this.#toPeer(link, reply);
  }

  /** The doc changed (here, or over a link): send it on every other link. */
  changed(update: Uint8Array, origin: unknown): void {
    const from = origin instanceof FromLink ? origin.link : undefined;
    const encoder = encoding.createEncoder();
    sync.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const link of this.#peers.keys()) if (link !== from) this.#toPeer(link, message);
    if (from !== 'tabs') this.#tabs.postMessage(message);
  }

  #step1(): Uint8Array {
    const encoder = encoding.createEncoder();
    sync.writeSyncStep1(encoder, this.#doc);
    return encoding.toUint8Array(encoder);
  }

  /** Applies one message; returns the reply to send, if any. */
  #read(bytes: Uint8Array, origin: FromLink): Uint8Array | undefined {
    const encoder = encoding.createEncoder();
    const unreadable = (): void => {
      this.#unreadable++;
      this.emit('unreadable', [this.#unreadable]);
    };
    try {
      sync.readSyncMessage(decoding.createDecoder(bytes), encoder, this.#doc, origin, unreadable);
    } catch {
      unreadable();
      return undefined;
    }
    return encoding.length(encoder) > 0 ? encoding.toUint8Array(encoder) : undefined;
  }

  override destroy(): void {
    this.#tabs.close();
    this.#peers.clear();
    super.destroy();
  }
}
