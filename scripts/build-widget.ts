/**
 * Builds the widget a site loads (`public/widget.js`), the chat it loads when opened
 * (`public/widget-chat.js`) and the settings check it loads now and then
 * (`public/widget-settings.js`): minified scripts, no imports, modern browsers only. Run
 * directly, or call `buildWidget()` (the benchmark does, to weigh them).
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WIDGET_OUT = `${root}public/widget.js`;
export const CHAT_OUT = `${root}public/widget-chat.js`;
export const SETTINGS_OUT = `${root}public/widget-settings.js`;

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
    target: ['es2022'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = await readFile(outfile);
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** Builds the three scripts; answers the loader's size, with the others' under their names. */
export async function buildWidget(): Promise<Size & { chat: Size; settings: Size }> {
  const [loader, chat, settings] = await Promise.all([
    bundle('widget/main.ts', WIDGET_OUT),
    bundle('widget/chat/main.ts', CHAT_OUT),
    bundle('widget/settings/main.ts', SETTINGS_OUT),
  ]);
  return { ...loader, chat, settings };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const size = await buildWidget();
  console.log(`widget.js: ${size.bytes} bytes, ${size.gzipBytes} bytes gzip`);
  console.log(`widget-chat.js: ${size.chat.bytes} bytes, ${size.chat.gzipBytes} bytes gzip`);
  console.log(
    `widget-settings.js: ${size.settings.bytes} bytes, ${size.settings.gzipBytes} bytes gzip`,
  );
}
