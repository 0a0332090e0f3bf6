import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { chaosPlugin } from './chaos-server.js'

const demoDir = fileURLToPath(new URL('.', import.meta.url))
const repoDir = fileURLToPath(new URL('..', import.meta.url))

/** The demo page, served from `demo/`, importing the library's TypeScript source from `../src`. */
export default defineConfig({
  root: demoDir,
  // Keep the dependency cache out of the repo's shared node_modules/.vite used by the library's tests.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite-demo', import.meta.url)),
  clearScreen: false,
  plugins: [chaosPlugin()],
  server: {
    // The page imports ../src, and its dependency (eventemitter3) lives in ../node_modules.
    fs: { allow: [repoDir] },
    strictPort: true,
  },
  preview: { strictPort: true },
  // Pre-bundled at startup: discovering it on the first page load would make Vite reload the page.
  optimizeDeps: {
    include: ['eventemitter3', 'react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'react/jsx-dev-runtime'],
  },
})
