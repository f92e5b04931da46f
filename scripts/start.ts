/**
 * `npm start`: builds the widget and the app, then runs the relay, the app and the demo site
 * and prints where to open them. Ports: APP_PORT (5173), DEMO_PORT (5174), RELAY_PORT (8787);
 * the relay keeps its data in RELAY_DATA_DIR (.data/relay).
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startStack } from './stack.ts';

const root = resolve(import.meta.dirname, '..');
console.log('Building the widget and the app…');
execSync('npm run build', { cwd: root, stdio: 'inherit' });

const dataDir = resolve(root, process.env.RELAY_DATA_DIR ?? '.data/relay');
mkdirSync(dataDir, { recursive: true });
const stack = await startStack({
  appPort: Number(process.env.APP_PORT ?? 5173),
  demoPort: Number(process.env.DEMO_PORT ?? 5174),
  relayPort: Number(process.env.RELAY_PORT ?? 8787),
  dataDir,
});

console.log(`
Converge Leads is running.

  App          ${stack.appUrl.padEnd(28)} ← open this: create a workspace
  Demo website ${stack.demoUrl.padEnd(28)} ← or use "Open demo site" in Settings → Widget
  Relay        ${stack.relayUrl.padEnd(28)} (data in ${dataDir})

Press Ctrl+C to stop.`);

const stop = (): void => {
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
