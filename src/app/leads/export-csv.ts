/**
 * The current (filtered) list as CSV: one row per lead, attribution columns, ISO dates. Rows
 * are folded from the team doc by the team worker a slice at a time, so a 100,000-lead export
 * never freezes the page and can report its progress.
 */
import { UTM_FIELDS } from '../../core/utm.ts';
import { csvLine } from '../../core/csv.ts';
import type { ListQuery } from '../../core/list-query.ts';
import type { Session } from '../session/session.ts';

const HEADER = [
  'Name',
  'Generated name',
  'Stage',
  'Score',
  'Band',
  'Assignee',
  'Tags',
  'Source domain',
  'Source page',
  'Referrer',
  'Channel',
  'Paid',
  ...UTM_FIELDS.map((f) => `UTM ${f}`),
  'Click ids',
  'Country',
  'Timezone',
  'Device',
  'Browser',
  'OS',
  'First seen',
  'Last activity',
  'Page views',
  'Lead id',
];

const SLICE = 500;

export async function exportCsv(
  session: Session,
  query: ListQuery,
  onProgress: (done: number, total: number) => void,
): Promise<Blob> {
  const ids = await session.listIds(query);
  const names = new Map(session.status.team.members.map((m) => [m.id, m.name]));
  const parts: string[] = [csvLine(HEADER)];
  for (let from = 0; from < ids.length; from += SLICE) {
    let chunk = '';
    for (const lead of await session.leadDetails(ids.slice(from, from + SLICE))) {
      if (!lead) continue;
      chunk += csvLine([
        lead.displayName,
        lead.generatedName,
        lead.stage,
        lead.score,
        lead.band,
        lead.assignee ? (names.get(lead.assignee) ?? lead.assignee) : '',
        lead.tags.join('; '),
        lead.sourceDomain,
        lead.sourcePage,
        lead.referrer,
        lead.channel,
        lead.paid ? 'yes' : 'no',
        ...UTM_FIELDS.map((f) => lead.utm[f] ?? ''),
        Object.entries(lead.clickIds)
          .map(([k, v]) => `${k}=${v ?? ''}`)
          .join('; '),
        lead.country ?? '',
        lead.timezone,
        lead.device.type,
        `${lead.device.browser} ${lead.device.browserVersion}`.trim(),
        lead.device.os,
        new Date(lead.firstSeen).toISOString(),
        new Date(lead.lastActivity).toISOString(),
        lead.pageViews,
        lead.id,
      ]);
    }
    parts.push(chunk);
    onProgress(Math.min(ids.length, from + SLICE), ids.length);
  }
  // A byte-order mark so spreadsheet apps read the file as UTF-8.
  return new Blob(['\uFEFF', ...parts], { type: 'text/csv;charset=utf-8' });
}

/** Hands a file to the browser's downloads. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}
