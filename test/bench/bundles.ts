/**
 * Builds everything the bench page loads, in memory with esbuild: our library
 * from source (src/index.ts), one tiny entry per peer, and the harness.
 * Nothing is minified, so profiles show real function names.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** The package root: found from this file upwards, whether it runs from test/bench or from a bundled copy. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'resilient-websocket') return dir
    const parent = dirname(dir)
    if (parent === dir) return process.cwd()
    dir = parent
  }
}

export const ROOT = findRoot()

/** The entry each peer is bundled from, exactly as an app would import it. */
export const PEER_ENTRIES: Record<string, string> = {
  'reconnecting-websocket': "export { default } from 'reconnecting-websocket'",
  partysocket: "export { default } from 'partysocket/ws'",
  'websocket-ts': "export { WebsocketBuilder, ConstantBackoff, ArrayQueue } from 'websocket-ts'",
  sockette: "export { default } from 'sockette'",
}

export interface Bundles {
  /** URL path → response. */
  files: Map<string, { type: string; body: string }>
  /** Our bundle and its source map (for mapping profile positions back to src/). */
  ours: { code: string; map: string }
}

const JS = 'text/javascript; charset=utf-8'

async function bundle(
  entry: { file: string } | { contents: string },
  sourcemap = false,
): Promise<{ code: string; map: string }> {
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'js' as const } }),
    absWorkingDir: ROOT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: 'out',
    sourcemap: sourcemap ? 'external' : false,
    sourcesContent: sourcemap,
    logLevel: 'silent',
  })
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? ''
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? ''
  return { code, map }
}

/** Bundles everything; `baseEntry`: the entry of our library from another commit (served as /lib/ours-base.js). */
export async function buildBundles(baseEntry?: string): Promise<Bundles> {
  const [ours, harness, ...peers] = await Promise.all([
    bundle({ file: 'src/index.ts' }, true),
    bundle({ file: 'test/bench/page.ts' }),
    ...Object.values(PEER_ENTRIES).map((contents) => bundle({ contents })),
  ])
  const files = new Map<string, { type: string; body: string }>()
  files.set('/', {
    type: 'text/html; charset=utf-8',
    body: '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="/harness.js"></script>',
  })
  files.set('/harness.js', { type: JS, body: harness!.code })
  files.set('/lib/ours.js', { type: JS, body: ours!.code })
  Object.keys(PEER_ENTRIES).forEach((name, i) => {
    files.set(`/lib/${name}.js`, { type: JS, body: peers[i]!.code })
  })
  if (baseEntry) files.set('/lib/ours-base.js', { type: JS, body: (await bundle({ file: baseEntry })).code })
  return { files, ours: ours! }
}
