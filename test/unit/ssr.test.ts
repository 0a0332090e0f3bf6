import { afterEach, describe, expect, it, vi } from 'vitest'

/** Installs a global getter that records each read, like a bundle running under SSR would trip over. */
function watchGlobal(name: string): { reads: () => number; restore: () => void } {
  let reads = 0
  const previous = Object.getOwnPropertyDescriptor(globalThis, name)
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      reads++
      return undefined
    },
  })
  return {
    reads: () => reads,
    restore: () => {
      if (previous) Object.defineProperty(globalThis, name, previous)
      else delete (globalThis as Record<string, unknown>)[name]
    },
  }
}

afterEach(() => {
  vi.resetModules()
})

describe('server-side rendering', () => {
  it('runs in an environment without window or document', () => {
    expect('window' in globalThis).toBe(false)
    expect('document' in globalThis).toBe(false)
  })

  it('imports src/index.ts without throwing and without reading window or document', async () => {
    vi.resetModules()
    const window = watchGlobal('window')
    const document = watchGlobal('document')
    try {
      const module = await import('../../src/index.js')
      expect(typeof module.ResilientWebSocket).toBe('function')
      expect(typeof module.describeCloseCode).toBe('function')
      expect(module.describeCloseCode(1000).name).toBe('Normal Closure')
      expect(window.reads()).toBe(0)
      expect(document.reads()).toBe(0)
    } finally {
      window.restore()
      document.restore()
    }
  })
})
