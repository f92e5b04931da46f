/**
 * `npm run bench`: measures SPEC §13's budgets on this machine and writes reports/bench.md
 * (and bench.json). Each section runs on its own; a section that fails is reported, not hidden.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { buildWidget } from '../../scripts/build-widget.ts';
import { benchChat } from './chat-latency.ts';
import { benchCaptureLatency } from './e2e-latency.ts';
import { benchRelay } from './relay.ts';
import { benchRelayCluster } from './relay-cluster.ts';
import { benchRemoval } from './removal.ts';
import { benchSweep } from './sweep.ts';
import { benchLeadList } from './lead-list.ts';
import { benchTeamEdit } from './team-edit.ts';
import { benchTeamSync } from './team-sync.ts';

type Figures = Record<string, number | string>;

interface Budget {
  key: string;
  what: string;
  limit: number;
  /** 'max': the figure must be at most the limit; 'min': at least. */
  kind: 'max' | 'min';
  unit: string;
}

const BUDGETS: Budget[] = [
  { key: 'widget.gzipBytes', what: 'widget script, gzip', limit: 5 * 1024, kind: 'max', unit: 'B' },
  {
    key: 'chat.launcherToUsable.maxMs',
    what: 'launcher click → chat usable, worst of 5 first visits',
    limit: 300,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'chat.messageToAgent.p95Ms',
    what: 'visitor message → agent tab, p95',
    limit: 300,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'chat.replyToWidget.p95Ms',
    what: 'agent reply → widget, p95',
    limit: 300,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'chat.hostLongestTaskMs',
    what: 'longest host-page task caused by the widget',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'widget.chatGzipBytes',
    what: 'chat module (loaded when opened), gzip',
    limit: 20 * 1024,
    kind: 'max',
    unit: 'B',
  },
  {
    key: 'relay.intake.eventsPerSec',
    what: 'relay durable intake',
    limit: 20_000,
    kind: 'min',
    unit: 'events/s',
  },
  {
    key: 'relay.ack.p99Ms',
    what: 'relay ack p99 at 1,000 events/s',
    limit: 20,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'relay.fanout.vsYwebrtc',
    what: 'relay fan-out time ÷ y-webrtc signaling server’s, same load',
    limit: 1,
    kind: 'max',
    unit: '×',
  },
  {
    key: 'relay.redis1.ack.p99Ms',
    what: 'relay over Redis, 1 node: ack p99 at 1,000 events/s',
    limit: 20,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'relay.redis3.ack.p99Ms',
    what: 'relay over Redis, 3 nodes: ack p99 at 1,000 events/s',
    limit: 20,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'relay.cluster.fanout.vsYwebrtc',
    what: 'fan-out across 3 nodes ÷ y-webrtc’s server on one, same load',
    limit: 1,
    kind: 'max',
    unit: '×',
  },
  {
    key: 'relay.replayStall.sqliteMs',
    what: 'longest relay stall while 3 members replay 150,000 events (embedded store)',
    limit: 20,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'relay.replayStall.redisMs',
    what: 'longest relay stall while 3 members replay 150,000 events (Redis)',
    limit: 20,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'capture.pageViewToRow.p95Ms',
    what: 'page view → row visible, p95',
    limit: 200,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'team.join.allLeadsListedMs',
    what: 'new member has all 50,000 leads listed',
    limit: 5_000,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.firstPaintMs',
    what: '100,000 leads: first list paint after reload',
    limit: 1_000,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.filterChange.maxMs',
    what: '100,000 leads: filter change → rows, worst of 6',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.scroll.maxRowsInDom',
    what: '100,000 leads: rows in the DOM while scrolling',
    limit: 60,
    kind: 'max',
    unit: 'rows',
  },
  {
    key: 'list.teamWorkerHeapMb',
    what: '100,000 leads: team worker heap after load',
    limit: 100,
    kind: 'max',
    unit: 'MB',
  },
  {
    key: 'list.teamDocLoadMs',
    what: '100,000 leads: team doc load',
    limit: 200,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.scroll.longestTaskMs',
    what: '100,000 leads: longest main-thread task, scrolling',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.rescoreMs',
    what: '100,000 leads: new scoring rules → list re-scored',
    limit: 150,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.burst.longestTaskMs',
    what: '100,000 leads: longest main-thread task, 1,000-event burst',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.flood.ingestedPerSec',
    what: 'sustained ingestion into an open tab (20,000 visits)',
    limit: 1_000,
    kind: 'min',
    unit: 'events/s',
  },
  {
    key: 'list.flood.longestTaskMs',
    what: 'longest main-thread task during that flood',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
  {
    what: 'sweep of 100,000 leads (90 % eligible): longest main-thread task',
    key: 'sweep.longestTaskMs',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list1m.firstPaintMs',
    what: '1,000,000 leads: first list paint after reload',
    limit: 2_000,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list1m.filterChange.maxMs',
    what: '1,000,000 leads: filter change → rows, worst of 6',
    limit: 200,
    kind: 'max',
    unit: 'ms',
  },
  // Issue #15's budgets for the Overview.
  {
    key: 'list.overview.firstRenderMs',
    what: '100,000 leads: Overview, first render after opening',
    limit: 300,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.overview.periodChange.maxMs',
    what: '100,000 leads: Overview, period change, worst of 3',
    limit: 100,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list.overview.longestTaskMs',
    what: '100,000 leads: Overview, longest main-thread task',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list1m.overview.firstRenderMs',
    what: '1,000,000 leads: Overview, first render after opening',
    limit: 1_000,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list1m.overview.periodChange.maxMs',
    what: '1,000,000 leads: Overview, period change, worst of 3',
    limit: 300,
    kind: 'max',
    unit: 'ms',
  },
  {
    key: 'list1m.overview.longestTaskMs',
    what: '1,000,000 leads: Overview, longest main-thread task',
    limit: 50,
    kind: 'max',
    unit: 'ms',
  },
];

const root = resolve(import.meta.dirname, '../..');
/** `--only a,b`: just those sections (by the start of their names), for a quick look. */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
// The benches build large workspaces on the relay and send bursts of visits from one address.
process.env.RELAY_RATE_PER_SEC = '1000000';
process.env.RELAY_RATE_BURST = '1000000';
process.env.RELAY_READ_RATE_PER_SEC = '1000000';
process.env.RELAY_READ_BURST = '1000000';
process.env.RELAY_QUOTA_EVENTS = '5000000';
const figures: Figures = {};
const errors: string[] = [];

async function section(name: string, run: () => Promise<Figures>): Promise<void> {
  if (only && !only.some((o) => name.startsWith(o))) return;
  const started = Date.now();
  process.stdout.write(`bench: ${name}… `);
  try {
    Object.assign(figures, await run());
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    errors.push(`${name}: ${message}`);
    console.log(`FAILED: ${message}`);
  }
}

execSync('npm run build', { cwd: root, stdio: 'ignore' });
await section('widget size', async () => {
  const size = await buildWidget();
  return {
    'widget.bytes': size.bytes,
    'widget.gzipBytes': size.gzipBytes,
    'widget.chatBytes': size.chat.bytes,
    'widget.chatGzipBytes': size.chat.gzipBytes,
    // Loaded on a visitor's first page and when the settings it verified are over 10 min old.
    'widget.settingsBytes': size.settings.bytes,
    'widget.settingsGzipBytes': size.settings.gzipBytes,
    // What a visitor's first page fetches before the launcher shows.
    'widget.firstVisitGzipBytes': size.gzipBytes + size.settings.gzipBytes,
    // The Overview's chart library as shipped (minified), and the view's whole lazy chunk.
    'overview.chartLibGzipBytes': gzipSync(
      readFileSync(resolve(root, 'node_modules/uplot/dist/uPlot.iife.min.js')),
    ).length,
    'overview.viewChunkGzipBytes': readdirSync(resolve(root, 'dist/assets'))
      .filter((f) => /^OverviewView-.*\.js$/.test(f))
      .reduce((n, f) => n + gzipSync(readFileSync(resolve(root, 'dist/assets', f))).length, 0),
  };
});
await section('relay', benchRelay);
await section('relay over redis', benchRelayCluster);
await section('capture latency', () => benchCaptureLatency());
await section('chat', () => benchChat());
await section('team sync', () => benchTeamSync());
await section('team edit latency', () => benchTeamEdit());
await section('member removal', () => benchRemoval());
await section('lead list at 100,000', () => benchLeadList(100_000));
await section('sweep of 100,000', () => benchSweep(100_000));
if (!process.argv.includes('--quick')) {
  await section('lead list at 1,000,000', () => benchLeadList(1_000_000));
}

const rows = BUDGETS.map((b) => {
  const value = figures[b.key];
  const ok = typeof value === 'number' && (b.kind === 'max' ? value <= b.limit : value >= b.limit);
  const limit = `${b.kind === 'max' ? '≤' : '≥'} ${b.limit.toLocaleString('en')} ${b.unit}`;
  const shown =
    typeof value === 'number' ? `${value.toLocaleString('en')} ${b.unit}` : 'not measured';
  return `| ${b.what} | ${shown} | ${limit} | ${ok ? 'pass' : 'MISS'} |`;
});
const report = [
  '# Benchmark report',
  '',
  `${new Date().toISOString()} · ${cpus().length} cores · Node ${process.version}`,
  '',
  '| what | measured | budget | |',
  '|---|---|---|---|',
  ...rows,
  '',
  '## All figures',
  '',
  ...Object.entries(figures).map(
    ([k, v]) => `- ${k}: ${typeof v === 'number' ? v.toLocaleString('en') : v}`,
  ),
  ...(errors.length ? ['', '## Sections that failed', '', ...errors.map((e) => `- ${e}`)] : []),
  '',
].join('\n');
mkdirSync(resolve(root, 'reports'), { recursive: true });
writeFileSync(resolve(root, 'reports/bench.md'), report);
writeFileSync(resolve(root, 'reports/bench.json'), JSON.stringify({ figures, errors }, null, 2));
console.log(`\n${report}\nWritten to reports/bench.md`);
process.exit(errors.length ? 1 : 0);
