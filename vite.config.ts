import { defineConfig } from 'vitest/config'
import { browserMode } from './test/support/engines/instances.js'

export default defineConfig({
  build: {
    // Two entries: the core, and the React binding (`resilient-websocket/react`), which alone imports React.
    lib: { entry: { index: 'src/index.ts', react: 'src/react.ts' }, formats: ['es'] },
    outDir: 'dist',
    // A clean dist/ on every build: nothing stale (a renamed module's old output) can be packed.
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    target: 'es2022',
    rolldownOptions: {
      external: ['eventemitter3', 'react', /^react\//],
      // One output file per source module: with `sideEffects: false`, a bundler
      // then drops every module an app does not import (describeCloseCode
      // alone does not pull in the socket class).
      output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
    },
  },
  test: {
    // Vitest reads this one from the root config: how long a browser page may take to
    // connect back. Firefox and WebKit start one browser per project, one after another,
    // and on a loaded 2-core machine a start has taken over the default 60 s.
    browser: { connectTimeout: 180_000 },
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/bench/herd/**/*.test.ts', 'test/property/**/*.test.ts'],
          typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: 'test/tsconfig.json' },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 20_000,
          browser: browserMode(),
        },
      },
      {
        test: {
          name: 'react',
          include: ['test/react/**/*.test.tsx'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 20_000,
          browser: browserMode(),
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/faults/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
          browser: browserMode(),
        },
      },
      {
        test: {
          name: 'soak',
          environment: 'node',
          include: ['test/soak/**/*.test.ts'],
          execArgv: ['--expose-gc'],
          testTimeout: 600_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'bench',
          environment: 'node',
          include: ['test/bench/*.smoke.test.ts'],
          testTimeout: 150_000,
        },
      },
      {
        test: {
          name: 'demo',
          environment: 'node',
          include: ['test/demo/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
