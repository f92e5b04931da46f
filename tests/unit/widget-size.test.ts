/**
 * The script every site loads stays small (SPEC §13: ≤ 5 KB gzip): this builds it as
 * `npm run build` does and weighs it against the committed baseline and the budget.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildWidget } from '../../scripts/build-widget.ts';

const BUDGET_GZIP_BYTES = 5 * 1024;
/** Growth allowed above the baseline before the check fails. */
const TOLERANCE = 0.02;

async function baseline(): Promise<number> {
  const file = new URL('../../widget/size-baseline.json', import.meta.url);
  const { gzipBytes } = JSON.parse(await readFile(file, 'utf8')) as { gzipBytes: number };
  return gzipBytes;
}

describe('widget size', () => {
  it('stays within 2% of the committed baseline and within the 5 KB gzip budget', async () => {
    const [{ gzipBytes }, base] = await Promise.all([buildWidget(), baseline()]);
    const allowed = Math.floor(base * (1 + TOLERANCE));
    expect(
      gzipBytes,
      `the widget is ${gzipBytes} B gzip, the baseline ${base} B (+2% = ${allowed} B): ` +
        'make it smaller, or raise widget/size-baseline.json on purpose',
    ).toBeLessThanOrEqual(allowed);
    expect(
      gzipBytes,
      `the widget is over the ${BUDGET_GZIP_BYTES} B gzip budget`,
    ).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  }, 60_000);
});
