/**
 * Builds the widget a site loads (`public/widget.js`): one minified script, no imports, modern
 * browsers only. Run directly, or call `buildWidget()` (the benchmark does, to weigh it).
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WIDGET_OUT = `${root}public/widget.js`;

export async function buildWidget(): Promise<{ bytes: number; gzipBytes: number }> {
  await build({
    entryPoints: [`${root}widget/main.ts`],
    outfile: WIDGET_OUT,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = await readFile(WIDGET_OUT);
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const size = await buildWidget();
  console.log(`widget.js: ${size.bytes} bytes, ${size.gzipBytes} bytes gzip`);
}
