/**
 * The list worker: every lead's list row in memory (`src/list/list-service.ts`), fed by the
 * team worker over a channel of their own, answering the lists' questions and pushing the
 * page's window again when it changes. IndexedDB cannot answer "L2, unassigned, tagged vip,
 * newest first, rows 4,000–4,040" fast at 100,000 rows; this answers it in one pass.
 */
import * as Comlink from 'comlink';
import { CodedError, toFailure } from '../src/contracts/errors.ts';
import type { ListApi, ListEvents } from '../src/contracts/list.ts';
import { ListService } from '../src/list/list-service.ts';

let service: ListService | undefined;

function opened(): ListService {
  if (!service) throw new CodedError('not_loaded', 'The list is still loading.');
  return service;
}

async function guarded<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // A plain object survives postMessage whole; comlink rethrows it on the page.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toFailure(err);
  }
}

const api: ListApi = {
  open: (workspaceId, pageEvents) =>
    guarded(() => {
      const events = pageEvents as unknown as Comlink.Remote<ListEvents>;
      service?.close();
      const opened = new ListService(workspaceId, {
        page: (page) => void events.page(page),
        hot: (rows) => void events.hot(rows),
        message: (rows) => void events.message(rows),
        overview: (figures) => void events.overview(figures),
        error: (failure) => void events.error(failure),
      });
      service = opened;
      // Not awaited: while a large list loads, `show` answers its first window from the head.
      opened.loaded.catch((err: unknown) => {
        void events.error(toFailure(err));
      });
    }),
  connect: (feed) => {
    opened().connect(feed);
  },
  show: (query, offset, limit) => guarded(() => opened().show(query, offset, limit)),
  ids: (query) => guarded(() => opened().ids(query)),
  watchOverview: (period) => guarded(() => opened().watchOverview(period)),
  close: () => {
    service?.close();
    service = undefined;
  },
};

Comlink.expose(api);
