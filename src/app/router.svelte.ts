/**
 * Hash routes (`#/leads`, `#/settings/widget`): the app is static files hosted anywhere, so
 * routing must not need server rewrites.
 */
export type SettingsSection =
  'widget' | 'replies' | 'visitors' | 'scoring' | 'team' | 'backup' | 'diagnostics';
import { filtersOf, queryOf, type LinkedFilters } from './lib/linked-filters.ts';

export type { LinkedFilters };

export type Route =
  | { view: 'overview' }
  | { view: 'leads'; lead?: string; filters?: LinkedFilters }
  | { view: 'inbox'; lead?: string }
  | { view: 'settings'; section: SettingsSection }
  | { view: 'join'; code: string };

const SECTIONS: readonly string[] = [
  'widget',
  'replies',
  'visitors',
  'scoring',
  'team',
  'backup',
  'diagnostics',
];

function parse(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/');
  if (parts[0] === 'overview') return { view: 'overview' };
  const lead = parts[1] ? decodeURIComponent(parts[1]) : undefined;
  if (parts[0] === 'inbox') return lead ? { view: 'inbox', lead } : { view: 'inbox' };
  if (parts[0] === 'join') return { view: 'join', code: parts[1] ?? '' };
  if (parts[0] === 'settings') {
    const section = parts[1] ?? '';
    return {
      view: 'settings',
      section: SECTIONS.includes(section) ? (section as SettingsSection) : 'widget',
    };
  }
  if (parts[0] === 'leads' && lead) return { view: 'leads', lead };
  const filters = parts[0] === 'leads' ? filtersOf(query) : undefined;
  return filters ? { view: 'leads', filters } : { view: 'leads' };
}

class Router {
  #route = $state<Route>(parse(location.hash));

  constructor() {
    addEventListener('hashchange', () => {
      this.#route = parse(location.hash);
    });
  }

  get route(): Route {
    return this.#route;
  }
}

export const router = new Router();

export function href(route: Route): string {
  if (route.view === 'settings') return `#/settings/${route.section}`;
  if (route.view === 'join') return `#/join/${route.code}`;
  if (route.view === 'overview') return '#/overview';
  if (route.view === 'leads' && route.filters) return `#/leads?${queryOf(route.filters)}`;
  if (route.lead) return `#/${route.view}/${encodeURIComponent(route.lead)}`;
  return `#/${route.view}`;
}
