/**
 * Builds the widget a site loads (`public/widget.js`) and the chat it loads when opened
 * (`public/widget-chat.js`): minified scripts, no imports, modern browsers only. Run directly,
 * or call `buildWidget()` (the benchmark does, to weigh them).
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WIDGET_OUT = `${root}public/widget.js`;
export const CHAT_OUT = `${root}public/widget-chat.js`;

interface Size {
  bytes: number;
  gzipBytes: number;
}

async function bundle(entry: string, outfile: string): Promise<Size> {
  await build({
    entryPoints: [`${root}${entry}`],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = await readFile(outfile);
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** Builds both scripts; answers the loader's size, with the chat's under `chat`. */
export async function buildWidget(): Promise<Size & { chat: Size }> {
  const [loader, chat] = await Promise.all([
    bundle('widget/main.ts', WIDGET_OUT),
    bundle('widget/chat/main.ts', CHAT_OUT),
  ]);
  return { ...loader, chat };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const size = await buildWidget();
  console.log(`widget.js: ${size.bytes} bytes, ${size.gzipBytes} bytes gzip`);
  console.log(`widget-chat.js: ${size.chat.bytes} bytes, ${size.chat.gzipBytes} bytes gzip`);
}
