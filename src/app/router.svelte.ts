/**
 * Hash routes (`#/leads`, `#/settings/widget`): the app is static files hosted anywhere, so
 * routing must not need server rewrites.
 */
export type Route =
  { view: 'leads' } | { view: 'inbox' } | { view: 'settings'; section: 'widget' | 'diagnostics' };

function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'inbox') return { view: 'inbox' };
  if (parts[0] === 'settings') {
    return { view: 'settings', section: parts[1] === 'diagnostics' ? 'diagnostics' : 'widget' };
  }
  return { view: 'leads' };
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
  return route.view === 'settings' ? `#/settings/${route.section}` : `#/${route.view}`;
}
