// Installs what `npm start`, `npm test` and `npm run bench` need on a bare machine:
// npm packages when missing or stale, and Debian's chromium (with --browser) and redis-server
// (with --redis: the relay's tests over several nodes) when missing.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });

const lock = 'package-lock.json';
const marker = 'node_modules/.package-lock.json';
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.log('Installing npm packages…');
  run('npm ci --no-audit --no-fund');
}

const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
const debian = [];
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.argv.includes('--browser') && !existsSync(chromium)) debian.push('chromium');
if (process.argv.includes('--redis') && !existsSync('/usr/bin/redis-server')) {
  debian.push('redis-server');
}
if (debian.length > 0) {
  console.log(`Installing Debian ${debian.join(' and ')} for the tests…`);
  run(`${sudo}apt-get update -qq`);
  run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${debian.join(' ')}`);
}
