import { engine } from './engines/engines.mjs'

/**
 * The one place that says which Chromium the tests drive and with which flags.
 * No browser is downloaded on these machines: it is Debian's (see
 * ensure-browsers.mjs), or whatever CHROMIUM points at.
 */
export const CHROMIUM_PATH = engine('chromium').binaries[0]

/** Keep headless Chromium off the (closed) network and quiet. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** For long runs and measurements: timers and hidden tabs are not throttled. */
export const UNTHROTTLED_ARGS = [
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
]
