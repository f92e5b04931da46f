// Lint rules for the whole project: strict TypeScript, Svelte 5, no floating promises.
import js from '@eslint/js';
import ts from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'reports',
      'test-results',
      'playwright-report',
      'public/widget*.js',
      '.data',
    ],
  },
  js.configs.recommended,
  ...ts.configs.strictTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Imports go one way: no module may reach itself again through its imports.
    files: ['src/**/*.ts', 'workers/**/*.ts', 'widget/**/*.ts', 'relay/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The core is pure: no DOM, no storage, no network, no clock — time and I/O are passed in.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'navigator',
          'location',
          'localStorage',
          'sessionStorage',
          'indexedDB',
          'fetch',
          'XMLHttpRequest',
          'WebSocket',
          'BroadcastChannel',
          'MessageChannel',
          'Worker',
          'Notification',
          'setTimeout',
          'setInterval',
          'requestAnimationFrame',
        ].map((name) => ({ name, message: 'src/core is pure: pass I/O and timers in.' })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'src/core takes the time as an input.' },
        { object: 'performance', property: 'now', message: 'src/core takes the time as an input.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['dexie', 'ws', 'node:*', 'better-sqlite3'],
              message: 'src/core does no I/O.',
            },
            {
              group: ['../app/*', '../team/*', '../list/*', '../data/*', '../contracts/*'],
              message: 'src/core imports only itself and pure libraries.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...ts.configs.disableTypeChecked,
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
);
