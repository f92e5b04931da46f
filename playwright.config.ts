import { defineConfig } from '@playwright/test';

// Some tests build large workspaces on the relay (see workspace-builder.ts): the relays these
// tests start take a burst of intake from one address. Relay limits have tests of their own.
process.env.RELAY_RATE_PER_SEC ??= '1000000';
process.env.RELAY_RATE_BURST ??= '1000000';
process.env.RELAY_READ_RATE_PER_SEC ??= '1000000';
process.env.RELAY_READ_BURST ??= '1000000';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    },
    trace: 'retain-on-failure',
  },
});
