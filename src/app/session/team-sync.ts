/**
 * The page's part of keeping teammates together: y-webrtc connects this tab to teammates'
 * browsers (signaling through our relay, in a room whose name and password come from the team
 * secret) and carries awareness — who is online, which lead they have open. WebRTC exists only
 * on the page, but the team doc lives in the team worker: the doc's sync messages ride the same
 * data channels (chunked-peer.ts) and are handed to and from the worker, link by link. y-webrtc
 * itself is given an empty doc that never changes, so its own sync exchanges nothing.
 */
import type * as Comlink from 'comlink';
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { roomName, roomPassword } from '../../core/team-keys.ts';
import type { WorkspaceRecord } from '../../data/db.ts';
import type { TeamApi } from '../../contracts/team.ts';
import { installChunkedPeers, sendDocMessage, type ChannelPeer } from './chunked-peer.ts';
import type { Presence, SessionStatus } from './session-status.svelte.ts';

/** The parts of y-webrtc's connection objects used here. */
interface Connection {
  peer: ChannelPeer & { on(event: 'connect' | 'close', listener: () => void): void };
}

export class TeamSync {
  readonly #team: Comlink.Remote<TeamApi>;
  readonly #provider: WebrtcProvider;
  readonly #links = new Map<number, ChannelPeer>();
  readonly #linkOf = new WeakMap<ChannelPeer, number>();
  #nextLink = 1;

  private constructor(team: Comlink.Remote<TeamApi>, provider: WebrtcProvider) {
    this.#team = team;
    this.#provider = provider;
  }

  static async start(
    record: WorkspaceRecord,
    status: SessionStatus,
    team: Comlink.Remote<TeamApi>,
    /** From the app's config: none by default (simple-peer's own would be Google's and Twilio's). */
    iceServers: RTCIceServer[],
  ): Promise<TeamSync> {
    const relay = new URL(record.relayUrl);
    relay.protocol = relay.protocol === 'https:' ? 'wss:' : 'ws:';
    relay.pathname = '/signal';
    const provider = new WebrtcProvider(await roomName(record.teamSecret), new Y.Doc(), {
      signaling: [relay.href],
      password: await roomPassword(record.teamSecret),
      peerOpts: { config: { iceServers } },
    });
    const sync = new TeamSync(team, provider);
    installChunkedPeers((peer, bytes) => {
      void team.linkReceived(sync.#link(peer), bytes);
    });
    const awareness = provider.awareness;
    awareness.on('change', () => {
      status.online = [...awareness.getStates().values()].filter(isPresence);
    });
    awareness.setLocalState({ memberId: record.memberId, name: record.memberName });
    provider.on('peers', ({ added, webrtcPeers }) => {
      status.peers = webrtcPeers.length;
      for (const id of added) {
        const conn = provider.room?.webrtcConns.get(id) as Connection | undefined;
        if (!conn) continue;
        conn.peer.on('connect', () => sync.#link(conn.peer));
        conn.peer.on('close', () => {
          sync.#unlink(conn.peer);
        });
      }
    });
    return sync;
  }

  /** The link number of a connection, opening the link at its first sign of life. */
  #link(peer: ChannelPeer): number {
    let link = this.#linkOf.get(peer);
    if (link === undefined) {
      link = this.#nextLink++;
      this.#linkOf.set(peer, link);
      this.#links.set(link, peer);
      void this.#team.linkOpened(link);
    }
    return link;
  }

  #unlink(peer: ChannelPeer): void {
    const link = this.#linkOf.get(peer);
    if (link === undefined || !this.#links.has(link)) return;
    this.#links.delete(link);
    void this.#team.linkClosed(link);
  }

  /** Sync bytes from the team worker for one teammate's browser. */
  send(link: number, bytes: Uint8Array): void {
    const peer = this.#links.get(link);
    if (peer) sendDocMessage(peer, bytes);
  }

  /** Tells teammates which lead this member has open, and its name (for their sidebar). */
  setViewing(lead: { id: string; name: string } | undefined): void {
    const awareness = this.#provider.awareness;
    awareness.setLocalState({
      ...awareness.getLocalState(),
      viewing: lead?.id,
      viewingName: lead?.name,
    });
  }

  destroy(): void {
    this.#provider.destroy();
  }
}

/** A teammate's tab as it says (a modified client may say anything: only strings pass). */
function isPresence(state: Record<string, unknown>): state is Record<string, unknown> & Presence {
  const optional = (value: unknown): boolean => value === undefined || typeof value === 'string';
  return (
    typeof state.memberId === 'string' &&
    typeof state.name === 'string' &&
    optional(state.viewing) &&
    optional(state.viewingName)
  );
}
