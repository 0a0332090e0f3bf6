export type EngineName = 'chromium' | 'firefox' | 'webkit'

export interface Engine {
  readonly name: EngineName
  /** Executables the engine needs; the first is the browser (or its driver). */
  readonly binaries: readonly [string, ...string[]]
  /** Debian packages that provide `binaries`. */
  readonly packages: readonly string[]
}

export declare const ENGINES: readonly Engine[]
export declare function selectedEngines(): readonly Engine[]
export declare function engine(name: EngineName): Engine
