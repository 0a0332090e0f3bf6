import type { TestProject } from 'vitest/node'
import type { EngineName } from '../support/engines/engines.mjs'
import { freePort } from '../support/free-port.js'
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

export default async function setup(project: TestProject) {
  const server = await startScenarioServer()
  project.provide('wsPort', server.port)
  project.provide('refusedPort', await freePort())
  return () => server.stop()
}
