import { createServer } from 'node:net'
import type { TestProject } from 'vitest/node'
import type { EngineName } from '../support/engines/engines.mjs'
import { startScenarioServer } from '../support/scenario-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the scenario server (see test/support/scenario-server.ts). */
    wsPort: number
    /** A port nothing listens on: connections to it are refused. */
    refusedPort: number
    /** The engine this project runs in (test/support/engines/instances.ts). */
    engine: EngineName
  }
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no free port')
  return address.port
}

export default async function setup(project: TestProject) {
  const server = await startScenarioServer()
  project.provide('wsPort', server.port)
  project.provide('refusedPort', await freePort())
  return () => server.stop()
}
