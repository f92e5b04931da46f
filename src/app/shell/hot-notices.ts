/**
 * Desktop notifications for leads that just turned hot. One per lead when a few turn hot at
 * once; when many do (a campaign lands), the hottest few and one summary, never a flood.
 */
import type { ScoredRow } from '../../core/lead.ts';

export interface HotNotice {
  title: string;
  body: string;
  /** Replaces an earlier notification with the same tag instead of stacking up. */
  tag: string;
  /** Where clicking it leads. */
  href: string;
}

export const HOT_NOTICES_AT_ONCE = 3;

export function hotNotices(rows: readonly ScoredRow[]): HotNotice[] {
  const hottest = [...rows].sort((a, b) => b.score - a.score || b.lastActivity - a.lastActivity);
  const single = (row: ScoredRow): HotNotice => ({
    title: `${row.displayName} is hot`,
    body: `Score ${String(row.score)} · ${row.sourceDomain || 'Direct'}`,
    tag: `hot-${row.id}`,
    href: `#/leads/${encodeURIComponent(row.id)}`,
  });
  if (hottest.length <= HOT_NOTICES_AT_ONCE) return hottest.map(single);
  const shown = hottest.slice(0, HOT_NOTICES_AT_ONCE - 1);
  const more = hottest.length - shown.length;
  return [
    ...shown.map(single),
    {
      title: `${more.toLocaleString('en')} more leads are hot`,
      body: 'Open Leads, sorted by score, to see them all.',
      tag: 'hot-many',
      href: '#/leads',
    },
  ];
}
