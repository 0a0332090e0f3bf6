import { writeFile } from 'node:fs/promises'
import type { TestProject } from 'vitest/node'
import { startFaultLab } from './fault-lab.js'
import { type FaultRow, markdownTable } from './results.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Control server of the fault lab (statistics, storms, proxy settings, results). */
    faultControlPort: number
    /** The `ws` server the lab kills and restarts (same port every time). */
    faultTargetPort: number
    /** The cutting TCP proxy in front of the target. */
    faultProxyPort: number
  }
}

/**
 * Starts the fault lab (test/faults/fault-lab.ts) for the browser-mode fault
 * suite. At teardown prints the summary the suite posted, as a markdown table,
 * and writes it as JSON to `$FAULTS_RESULTS` when that is set (`{engine}` in it is replaced by the engine name).
 */
export default async function setup(project: TestProject) {
  const lab = await startFaultLab()
  project.provide('faultControlPort', lab.controlPort)
  project.provide('faultTargetPort', lab.targetPort)
  project.provide('faultProxyPort', lab.proxyPort)
  return async () => {
    const rows = lab.results as FaultRow[]
    await lab.stop()
    if (rows.length === 0) return
    console.log(`\nFault injection (${project.name}, real ws server):\n\n${markdownTable(rows)}\n`)
    const file = process.env.FAULTS_RESULTS
    if (file)
      await writeFile(file.replace('{engine}', project.config.browser.name), `${JSON.stringify(rows, null, 2)}\n`)
  }
}
