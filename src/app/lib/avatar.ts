/** Avatar images for leads: the generated SVG as a data URL, so no visitor text can run. */
import { avatarSvg } from '../../core/identity.ts';

const cache = new Map<string, string>();

export function avatarUrl(visitorId: string): string {
  let url = cache.get(visitorId);
  if (!url) {
    url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(avatarSvg(visitorId, 64))}`;
    if (cache.size > 5000) cache.clear();
    cache.set(visitorId, url);
  }
  return url;
}
