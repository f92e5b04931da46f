/**
 * The state of one lead list (the Leads view, or the Inbox): its filters and sort, remembered
 * per member; the window of rows on screen, which the list worker answers and pushes again when
 * the leads in it change.
 */
import type { ListPage } from '../../contracts/list.ts';
import {
  NO_FILTERS,
  type ListFilters,
  type ListQuery,
  type ListSort,
  type Origin,
} from '../../core/list-query.ts';
import type { LinkedFilters } from '../router.svelte.ts';
import { storageKey } from '../../core/names.ts';
import { STAGE_NAMES } from '../../core/stage.ts';
import { app } from '../app.svelte.ts';
import { remembered } from '../lib/remembered.ts';
import type { Session } from '../session/session.ts';

export type ListKind = ListQuery['kind'];

export interface Chip {
  label: string;
  remove: () => void;
}

const day = (at: number): string =>
  new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** The chips of an origin filter: the period (one chip), source, campaign, landing page. */
function originChips(origin: Origin, set: (origin: Origin) => void): Chip[] {
  const chips: Chip[] = [];
  const { from, to, ...rest } = origin;
  if (from !== undefined || to !== undefined) {
    // `to` is the start of the day after the period's last.
    const last = to === undefined ? undefined : to - 1;
    const label =
      from !== undefined && last !== undefined
        ? `First seen ${day(from)} – ${day(last)}`
        : from !== undefined
          ? `First seen from ${day(from)}`
          : `First seen until ${day(last ?? 0)}`;
    chips.push({
      label,
      remove: () => {
        set(rest);
      },
    });
  }
  const named = { source: 'Source', campaign: 'Campaign', landing: 'Landing page' } as const;
  for (const key of ['source', 'campaign', 'landing'] as const) {
    const value = origin[key];
    if (value === undefined) continue;
    chips.push({
      label: `${named[key]}: ${value}`,
      remove: () => {
        set(Object.fromEntries(Object.entries(origin).filter(([k]) => k !== key)));
      },
    });
  }
  return chips;
}

export class LeadListState {
  readonly kind: ListKind;
  readonly #session: Session;
  readonly #memory: { save: (value: { filters: ListFilters; sort: ListSort }) => void };
  #filters = $state<ListFilters>(NO_FILTERS);
  #sort = $state<ListSort>('activity');
  #page = $state.raw<ListPage | undefined>();
  /** The keyboard's row (-1: none), and the row to bring into view (a scroll request). */
  #cursor = $state(-1);
  #reveal = $state<{ row: number; focus?: boolean } | undefined>();
  #first = 0;
  #size = 30;
  /** Bumped by every request: an answer to an older one is dropped. */
  #asked = 0;
  #answered = 0;

  /** `linked`: filters a link opened the list with; they replace the remembered ones. */
  constructor(session: Session, kind: ListKind, linked?: LinkedFilters) {
    this.#session = session;
    this.kind = kind;
    const memory = remembered<{ filters: ListFilters; sort: ListSort }>(
      storageKey.listView(session.record.id, session.record.memberId, kind),
      { filters: NO_FILTERS, sort: 'activity' },
    );
    this.#memory = memory;
    this.#filters = linked ? { ...NO_FILTERS, ...linked } : memory.value.filters;
    this.#sort = memory.value.sort;
    if (linked) memory.save({ filters: $state.snapshot(this.#filters), sort: this.#sort });
  }

  get filters(): ListFilters {
    return this.#filters;
  }
  set filters(filters: ListFilters) {
    this.#filters = filters;
    this.#changed();
  }

  get sort(): ListSort {
    return this.#sort;
  }
  set sort(sort: ListSort) {
    this.#sort = sort;
    this.#changed();
  }

  get page(): ListPage | undefined {
    return this.#page;
  }

  get query(): ListQuery {
    return {
      ...$state.snapshot(this.#filters),
      kind: this.kind,
      sort: this.#sort,
      me: this.#session.record.memberId,
    };
  }

  /** Filters other than the search are on. */
  get filtered(): boolean {
    const f = this.#filters;
    return (
      f.assignment !== 'all' ||
      f.stages.length > 0 ||
      f.tags.length > 0 ||
      Object.keys(f.origin ?? {}).length > 0 ||
      f.band !== undefined
    );
  }

  get chips(): Chip[] {
    const f = this.#filters;
    const set = (next: Partial<ListFilters>): void => {
      this.filters = { ...this.#filters, ...next };
    };
    const search = f.search.trim();
    return [
      ...(search
        ? [
            {
              label: `Search: ${search.length > 30 ? `${search.slice(0, 29)}…` : search}`,
              remove: () => {
                set({ search: '' });
              },
            },
          ]
        : []),
      ...(f.assignment === 'all'
        ? []
        : [
            {
              label: f.assignment === 'me' ? 'Assigned to me' : 'Unassigned',
              remove: () => {
                set({ assignment: 'all' });
              },
            },
          ]),
      ...f.stages.map((stage) => ({
        label: `${stage} ${STAGE_NAMES[stage]}`,
        remove: () => {
          set({ stages: f.stages.filter((s) => s !== stage) });
        },
      })),
      ...f.tags.map((tag) => ({
        label: `Tag: ${tag}`,
        remove: () => {
          set({ tags: f.tags.filter((t) => t !== tag) });
        },
      })),
      ...(f.band
        ? [
            {
              label: `Score: ${f.band}`,
              remove: () => {
                const rest = { ...this.#filters };
                delete rest.band;
                this.filters = rest;
              },
            },
          ]
        : []),
      ...originChips(f.origin ?? {}, (origin) => {
        set({ origin });
      }),
    ];
  }

  /** Clears the filters (keeping the search, unless `all`). */
  clear(all = false): void {
    this.filters = { ...NO_FILTERS, search: all ? '' : this.#filters.search };
  }

  get cursor(): number {
    return this.#cursor;
  }

  /**
   * A row to scroll into view; a new object for every request. `focus`: the keyboard's cursor
   * moved there, and focus follows it (so screen readers say which lead it is on).
   */
  get reveal(): { row: number; focus?: boolean } | undefined {
    return this.#reveal;
  }

  /** The lead under the keyboard's cursor, when its row is on screen. */
  get cursorLead(): string | undefined {
    const page = this.#page;
    return page?.rows[this.#cursor - page.offset]?.id;
  }

  /** Moves the keyboard's cursor by `by` rows, and brings its row into view. */
  move(by: number): void {
    const total = this.#page?.total ?? 0;
    if (total === 0) return;
    this.#cursor = Math.max(0, Math.min(total - 1, this.#cursor + by));
    this.#reveal = { row: this.#cursor, focus: true };
  }

  #changed(): void {
    this.#memory.save({ filters: $state.snapshot(this.#filters), sort: this.#sort });
    // A new question starts at the top.
    this.#first = 0;
    this.#cursor = -1;
    this.#reveal = { row: 0 };
    this.#ask();
  }

  /** The rows on screen: from `first`, `size` of them. */
  view(first: number, size: number): void {
    if (first === this.#first && size === this.#size && this.#page) return;
    this.#first = first;
    this.#size = size;
    this.#ask();
  }

  #ask(): void {
    const ticket = ++this.#asked;
    this.#session.show(this.query, this.#first, this.#size).then(
      (page) => {
        this.#answered = Math.max(this.#answered, ticket);
        if (ticket === this.#asked) this.#show(page);
      },
      (err: unknown) => {
        app.handleError(err, 'Could not show the list');
      },
    );
  }

  #show(page: ListPage): void {
    this.#page = page;
    this.#session.listShown();
  }

  /** Shows the first window and follows the worker's pushes; returns the way to stop. */
  start(): () => void {
    const onPage = (page: ListPage): void => {
      // A push is for the last window the worker was asked for: while a newer request is on
      // its way, its answer is what counts.
      if (this.#answered === this.#asked) this.#show(page);
    };
    this.#session.on('page', onPage);
    this.#ask();
    return () => {
      this.#session.off('page', onPage);
    };
  }
}
