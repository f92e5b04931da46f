/**
 * The team worker: one per tab, holding the open workspace (`src/team/workspace.ts`) — the
 * team doc and all work on it — off the page's thread. The page talks to it through this API
 * and hears back through the events it passes to `open`.
 */
import * as Comlink from 'comlink';
import type { PageView } from '../src/core/capture.ts';
import type { Member, Role, Settings } from '../src/core/ledger.ts';
import type { WorkspaceRecord } from '../src/data/db.ts';
import { Workspace, type LeadDetail, type WorkspaceEvents } from '../src/team/workspace.ts';

let opened: Workspace | undefined;

function workspace(): Workspace {
  if (!opened) throw new Error('The workspace is still loading: try again in a moment.');
  return opened;
}

const api = {
  async open(record: WorkspaceRecord, pageEvents: WorkspaceEvents): Promise<void> {
    // The page passes its events by proxy: here each call is a message, answered later.
    const events = pageEvents as unknown as Comlink.Remote<WorkspaceEvents>;
    opened?.close();
    opened = await Workspace.open(record, {
      // Sync bytes can be megabytes: hand them over rather than copy them.
      toPeer: (link, bytes) => {
        const copy = bytes.slice();
        void events.toPeer(link, Comlink.transfer(copy, [copy.buffer]));
      },
      status: (patch) => {
        void events.status(patch);
      },
      hot: (ids) => {
        void events.hot(ids);
      },
      error: (message) => {
        void events.error(message);
      },
    });
  },
  load: (): Promise<void> => workspace().load(),
  assign: (leadId: string, to: string | null): void => {
    workspace().assign(leadId, to);
  },
  tag: (leadId: string, tag: string): void => {
    workspace().tag(leadId, tag);
  },
  untag: (leadId: string, tag: string): void => {
    workspace().untag(leadId, tag);
  },
  markCustomer: (leadId: string): void => {
    workspace().markCustomer(leadId);
  },
  rename: (name: string): Promise<void> => workspace().rename(name),
  setRole: (member: Member, role: Exclude<Role, 'owner'>): Promise<void> =>
    workspace().setRole(member, role),
  setSetting: <K extends keyof Settings>(name: K, value: Settings[K]): Promise<void> =>
    workspace().setSetting(name, value),
  leadDetail: (leadId: string): LeadDetail | undefined => workspace().leadDetail(leadId),
  leadDetails: (leadIds: string[]): (LeadDetail | undefined)[] =>
    leadIds.map((id) => workspace().leadDetail(id)),
  visitsOf: (leadId: string): PageView[] => workspace().visitsOf(leadId),
  // The page's WebRTC links to teammates' browsers (see DocLinks).
  linkOpened: (link: number): void => {
    workspace().links?.opened(link);
  },
  linkClosed: (link: number): void => {
    workspace().links?.closed(link);
  },
  linkReceived: (link: number, bytes: Uint8Array): void => {
    workspace().links?.received(link, bytes);
  },
  close: (): void => {
    opened?.close();
    opened = undefined;
  },
};

export type TeamWorkerApi = typeof api;

Comlink.expose(api);
