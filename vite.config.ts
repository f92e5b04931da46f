/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
  ],
};

export default defineConfig({
  plugins: [svelte()],
  worker: { format: 'es' },
  // Pre-bundled up front: discovering them mid-run makes Vite reload browser-mode tests.
  optimizeDeps: {
    include: [
      'comlink',
      'countries-and-timezones',
      'dexie',
      'yjs',
      'bowser',
      'unique-names-generator',
    ],
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Team sync's libraries change less often than the app: their own chunk stays cached
        // across releases (and keeps every chunk under the size warning).
        codeSplitting: {
          groups: [
            {
              name: 'sync',
              test: /node_modules[\\/](yjs|y-webrtc|y-protocols|lib0|simple-peer|dexie)[\\/]/,
            },
          ],
        },
      },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'relay',
          environment: 'node',
          include: ['tests/relay/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The same relay tests with every relay's store in a real Redis (see helpers.ts),
          // but those about the embedded store itself and the cluster's own.
          name: 'relay-redis',
          environment: 'node',
          include: ['tests/relay/**/*.test.ts'],
          exclude: [
            'tests/relay/durability.test.ts',
            'tests/relay/sqlite-schema.test.ts',
            'tests/relay/cluster.test.ts',
          ],
          env: { RELAY_TEST_STORE: 'redis' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromium }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
