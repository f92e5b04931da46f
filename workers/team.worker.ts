/**
 * The team worker: one per tab, holding the open workspace (`src/team/workspace.ts`) — the
 * team doc and all work on it — off the page's thread. The page talks to it through `TeamApi`
 * and hears back through the `TeamEvents` it passes to `open`; failures cross as plain
 * `Failure`s.
 */
import * as Comlink from 'comlink';
import { CodedError, toFailure } from '../src/contracts/errors.ts';
import type { TeamApi, TeamEvents } from '../src/contracts/team.ts';
import { realTimers } from '../src/contracts/time.ts';
import { Workspace } from '../src/team/workspace.ts';

let opened: Workspace | undefined;

function workspace(): Workspace {
  if (!opened) throw new CodedError('not_loaded', 'The workspace is still loading.');
  return opened;
}

/** Runs a call; whatever it throws crosses to the page as a plain Failure. */
async function guarded<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // A plain object survives postMessage whole; comlink rethrows it on the page.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toFailure(err);
  }
}

const api: TeamApi = {
  async open(record, pageEvents, feed, clockOffsetMs) {
    // The page passes its events by proxy: here each call is a message, answered later.
    const events = pageEvents as unknown as Comlink.Remote<TeamEvents>;
    opened?.close();
    opened = await guarded(() =>
      Workspace.open(
        record,
        {
          // Sync bytes can be megabytes: hand them over rather than copy them.
          toPeer: (link, bytes) => {
            const copy = bytes.slice();
            void events.toPeer(link, Comlink.transfer(copy, [copy.buffer]));
          },
          status: (patch) => void events.status(patch),
          lead: (leadId, detail) => void events.lead(leadId, detail),
          error: (failure) => void events.error(failure),
        },
        feed,
        { clock: { now: () => Date.now() + clockOffsetMs }, timers: realTimers },
      ),
    );
  },
  load: () => guarded(() => workspace().load()),
  assign: (leadId, to) =>
    guarded(() => {
      workspace().edits.assign(leadId, to);
    }),
  tag: (leadId, tag) =>
    guarded(() => {
      workspace().edits.tag(leadId, tag);
    }),
  untag: (leadId, tag) =>
    guarded(() => {
      workspace().edits.untag(leadId, tag);
    }),
  markCustomer: (leadId) =>
    guarded(() => {
      workspace().edits.markCustomer(leadId);
    }),
  write: (leadId, text) => guarded(() => workspace().write(leadId, text)),
  block: (leadId, blocked) => guarded(() => workspace().block(leadId, blocked)),
  blockedMessages: () => guarded(() => workspace().blockedMessages()),
  relaySnapshot: () => guarded(() => workspace().relaySnapshot()),
  markRead: (leadId, at) =>
    guarded(() => {
      workspace().edits.markRead(leadId, at);
    }),
  rename: (name) => guarded(() => workspace().rename(name)),
  setRole: (member, role) => guarded(() => workspace().setRole(member, role)),
  setSetting: (name, value) => guarded(() => workspace().setSetting(name, value)),
  removeMember: (memberId) => guarded(() => workspace().removeMember(memberId)),
  watchLead: (leadId) => guarded(() => workspace().watchLead(leadId)),
  leadDetails: (leadIds) => guarded(() => workspace().reads.details(leadIds)),
  // The page's WebRTC links to teammates' browsers (see DocLinks).
  linkOpened: (link) => {
    opened?.links?.opened(link);
  },
  linkClosed: (link) => {
    opened?.links?.closed(link);
  },
  linkReceived: (link, bytes) => {
    opened?.links?.received(link, bytes);
  },
  close: () => {
    opened?.close();
    opened = undefined;
  },
};

Comlink.expose(api);
