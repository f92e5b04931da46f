/**
 * Keeping teammates' copies of the team doc together:
 * - live, over WebRTC (y-webrtc), signaling through our relay, in a room whose name and password
 *   come from the team secret; large messages are framed (chunked-peer.ts);
 * - through the encrypted snapshot on the relay, which lets a member load the workspace with no
 *   teammate online. Every leader tab keeps it fresh: uploads say which version they extend
 *   (If-Match), and on a conflict the newer snapshot is merged in first, so no member's upload
 *   can erase another's work.
 * Awareness tells who is online and which lead they have open.
 */
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { fromBase64Url, toBase64Url } from '../../core/bytes.ts';
import { decryptSnapshot } from '../../core/snapshot.ts';
import { readToken, roomName, roomPassword, snapshotKey } from '../../core/team-keys.ts';
import { readMeta, type WorkspaceRecord } from '../../data/db.ts';
import { installChunkedPeers } from './chunked-peer.ts';
import { downloadSnapshot, RelayError, uploadSnapshot } from './relay-client.ts';
import type { DocStore } from './doc-store.ts';
import type { SessionStatus } from './session-status.svelte.ts';

/** What each open tab tells the team about itself. */
export interface Presence {
  memberId: string;
  name: string;
  /** The lead this member has open, if any. */
  viewing?: string;
}

const UPLOAD_AFTER_MS = 2_000;
const UPLOAD_AT_LEAST_EVERY_MS = 30_000;

export class TeamSync {
  readonly #record: WorkspaceRecord;
  readonly #store: DocStore;
  readonly #doc: Y.Doc;
  readonly #status: SessionStatus;
  readonly #key: CryptoKey;
  readonly #token: string;
  /** Builds the sealed snapshot from what is stored (in the engine worker). */
  readonly #seal: () => Promise<Uint8Array<ArrayBuffer>>;
  #provider: WebrtcProvider | undefined;
  /** Snapshot version this doc already contains (what an upload extends). */
  #version = 0;
  /** The doc's state vector when it last matched the relay's snapshot. */
  #inSnapshot: Uint8Array | undefined;
  #uploadTimer: ReturnType<typeof setTimeout> | undefined;
  #firstChangeAt = 0;
  #uploading = false;
  #keeper = false;

  private constructor(
    record: WorkspaceRecord,
    store: DocStore,
    status: SessionStatus,
    key: CryptoKey,
    token: string,
    seal: () => Promise<Uint8Array<ArrayBuffer>>,
  ) {
    this.#seal = seal;
    this.#record = record;
    this.#store = store;
    this.#doc = store.doc;
    this.#status = status;
    this.#key = key;
    this.#token = token;
  }

  static async start(
    record: WorkspaceRecord,
    store: DocStore,
    status: SessionStatus,
    seal: () => Promise<Uint8Array<ArrayBuffer>>,
  ): Promise<TeamSync> {
    const doc = store.doc;
    const sync = new TeamSync(
      record,
      store,
      status,
      await snapshotKey(record.teamSecret),
      await readToken(record.teamSecret),
      seal,
    );
    // What the relay's snapshot already holds, as of this browser's last upload or restore.
    const known = await readMeta<{ version: number; state: string } | undefined>(
      store.db,
      'snapshot',
      undefined,
    );
    if (known) {
      sync.#version = known.version;
      sync.#inSnapshot = fromBase64Url(known.state);
    }
    installChunkedPeers();
    const relay = new URL(record.relayUrl);
    relay.protocol = relay.protocol === 'https:' ? 'wss:' : 'ws:';
    relay.pathname = '/signal';
    sync.#provider = new WebrtcProvider(await roomName(record.teamSecret), doc, {
      signaling: [relay.href],
      password: await roomPassword(record.teamSecret),
    });
    const awareness = sync.#provider.awareness;
    awareness.setLocalState({ memberId: record.memberId, name: record.memberName });
    awareness.on('change', () => {
      sync.#status.online = [...awareness.getStates().values()].filter(isPresence);
    });
    sync.#provider.on('peers', ({ webrtcPeers }) => {
      sync.#status.peers = webrtcPeers.length;
    });
    doc.on('update', sync.#onUpdate);
    return sync;
  }

  /** Loads the relay's snapshot into the doc; false when the team has stored none yet. */
  async restore(): Promise<boolean> {
    const stored = await downloadSnapshot(this.#record.relayUrl, this.#record.id, this.#token);
    if (!stored) return false;
    const update = await decryptSnapshot(this.#key, this.#record.id, stored.bytes);
    await this.#store.adopt(update);
    await this.#matched(stored.version, Y.encodeStateVector(this.#doc));
    this.#status.backup = { version: stored.version, at: Date.now() };
    return true;
  }

  /** From now on this tab keeps the relay snapshot fresh (the leader tab only). */
  keepSnapshot(): void {
    this.#keeper = true;
    this.#schedule(0);
  }

  /** Tells teammates which lead this member has open. */
  setViewing(leadId: string | undefined): void {
    this.#provider?.awareness.setLocalStateField('viewing', leadId);
  }

  #onUpdate = (): void => {
    if (this.#keeper) this.#schedule(UPLOAD_AFTER_MS);
  };

  #schedule(delay: number): void {
    const now = Date.now();
    if (this.#uploadTimer === undefined) this.#firstChangeAt = now;
    clearTimeout(this.#uploadTimer);
    // Debounced, but a steady stream of changes still uploads at least this often.
    const wait = Math.min(delay, Math.max(0, this.#firstChangeAt + UPLOAD_AT_LEAST_EVERY_MS - now));
    this.#uploadTimer = setTimeout(() => {
      this.#uploadTimer = undefined;
      void this.#upload();
    }, wait);
  }

  async #upload(): Promise<void> {
    if (this.#uploading) {
      this.#schedule(UPLOAD_AFTER_MS);
      return;
    }
    this.#uploading = true;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const state = Y.encodeStateVector(this.#doc);
        if (this.#inSnapshot && sameBytes(state, this.#inSnapshot)) return;
        // The snapshot is built from storage: store what the doc holds first.
        await this.#store.flush();
        const sealed = await this.#seal();
        try {
          const version = await uploadSnapshot(
            this.#record.relayUrl,
            this.#record.id,
            this.#token,
            sealed,
            this.#version,
          );
          await this.#matched(version, state);
          this.#status.backup = { version, at: Date.now() };
          this.#status.backupError = '';
          return;
        } catch (err) {
          // Someone stored a newer snapshot: take in their work, then try again.
          if (err instanceof RelayError && err.status === 409) await this.restore();
          else throw err;
        }
      }
    } catch (err) {
      this.#status.backupError = err instanceof Error ? err.message : String(err);
      this.#schedule(UPLOAD_AT_LEAST_EVERY_MS);
    } finally {
      this.#uploading = false;
    }
  }

  /** Notes that the relay's snapshot `version` holds the doc up to `state`. */
  async #matched(version: number, state: Uint8Array): Promise<void> {
    this.#version = version;
    this.#inSnapshot = state;
    await this.#store.db.meta.put({
      key: 'snapshot',
      value: { version, state: toBase64Url(state) },
    });
  }

  destroy(): void {
    clearTimeout(this.#uploadTimer);
    this.#doc.off('update', this.#onUpdate);
    this.#provider?.destroy();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function isPresence(state: Record<string, unknown>): state is Record<string, unknown> & Presence {
  return typeof state.memberId === 'string' && typeof state.name === 'string';
}
