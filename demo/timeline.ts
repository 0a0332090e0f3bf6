/**
 * The live timeline: one lane per native connection attempt, drawn as SVG.
 * A thin amber segment while the handshake runs, a green bar while open, a
 * marker labelled with the close code where it ended (amber: a retry follows,
 * grey: stopped, red: stopped with an error), and a dashed gap for the retry
 * delay the library scheduled, so backoff growth and jitter read at a glance.
 */
import { describeCloseCode } from '../src/index.js'
import { formatMs, s } from './dom.js'

export type CloseKind = 'retry' | 'stop' | 'error'

interface Lane {
  /** Global number of the attempt, shown as the lane label. */
  id: number
  /** Which socket instance made it (the page makes a new one when policies change). */
  run: number
  startedAt: number
  openedAt?: number
  closedAt?: number
  code?: number
  reason?: string
  kind?: CloseKind
  retry?: { delayMs: number; attempt: number }
  /** When the run stopped for good without this lane's socket being involved (e.g. close() during a retry wait). */
  stoppedAt?: number
  stopKind?: CloseKind
}

const LANE_HEIGHT = 30
const GUTTER = 44
/** Room right of "now" for the labels of the latest close. */
const RIGHT_MARGIN = 48
const AXIS_HEIGHT = 22
const MAX_VISIBLE_LANES = 10
const MAX_LANES = 500

const MIN_FIT_MS = 20_000
const MAX_FIT_MS = 600_000

const TICK_STEPS_MS = [1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000]

function tickLabel(agoMs: number): string {
  if (agoMs === 0) return 'now'
  return agoMs >= 120_000 && agoMs % 60_000 === 0 ? `−${agoMs / 60_000}min` : `−${agoMs / 1000}s`
}

export class Timeline {
  readonly #svg: SVGSVGElement
  readonly #lanes: Lane[] = []
  /** A fixed width in ms, or `'fit'`: from the oldest of the recent lanes to now. */
  #window: number | 'fit'
  #nextId = 1

  constructor(svg: SVGSVGElement, window: number | 'fit' = 'fit') {
    this.#svg = svg
    this.#window = window
  }

  set window(window: number | 'fit') {
    this.#window = window
  }

  /** A native attempt of `run` started now. */
  attempt(run: number): void {
    this.#lanes.push({ id: this.#nextId++, run, startedAt: performance.now() })
    if (this.#lanes.length > MAX_LANES) this.#lanes.splice(0, this.#lanes.length - MAX_LANES)
  }

  opened(run: number): void {
    const lane = this.#current(run)
    if (lane && lane.openedAt === undefined) lane.openedAt = performance.now()
  }

  /** The library reported a close for `run`: it belongs to the run's latest lane, unless that one already closed. */
  closed(run: number, code: number, reason: string, kind: CloseKind): void {
    const lane = this.#current(run)
    if (lane) {
      lane.closedAt = performance.now()
      lane.code = code
      lane.reason = reason
      lane.kind = kind
      return
    }
    const last = this.#last(run)
    if (last && kind !== 'retry') {
      last.stoppedAt = performance.now()
      last.stopKind = kind
    }
  }

  /** The library scheduled a retry after the run's latest close. */
  retrying(run: number, delayMs: number, attempt: number): void {
    const last = this.#last(run)
    if (last?.closedAt !== undefined) last.retry = { delayMs, attempt }
  }

  render(): void {
    const now = performance.now()
    const width = Math.max(280, Math.round(this.#svg.getBoundingClientRect().width || 600))
    const windowMs = this.#window === 'fit' ? this.#fitWindow(now) : this.#window
    const from = now - windowMs
    const visible = this.#lanes.filter((lane) => this.#endOf(lane, now) >= from).slice(-MAX_VISIBLE_LANES)
    const height = Math.max(1, visible.length) * LANE_HEIGHT + AXIS_HEIGHT + 6
    const plot = width - GUTTER - RIGHT_MARGIN
    const x = (t: number) => GUTTER + (Math.max(t, from) - from) * (plot / windowMs)

    this.#svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
    this.#svg.setAttribute('height', String(height))
    const nodes: SVGElement[] = []

    // Time grid, right edge is now.
    const step = TICK_STEPS_MS.find((ms) => (ms / windowMs) * plot >= 64) ?? 300_000
    const axisY = height - AXIS_HEIGHT
    for (let ago = 0; ago <= windowMs; ago += step) {
      const tx = x(now - ago)
      nodes.push(s('line', { x1: tx, x2: tx, y1: 4, y2: axisY, class: 'tl-grid' }))
      nodes.push(s('text', { x: tx, y: axisY + 15, class: 'tl-axis', 'text-anchor': 'middle' }, tickLabel(ago)))
    }

    if (visible.length === 0) {
      nodes.push(s('text', { x: GUTTER + 8, y: LANE_HEIGHT / 2 + 8, class: 'tl-empty' }, 'Waiting for a connection…'))
    }

    visible.forEach((lane, index) => {
      const top = 4 + index * LANE_HEIGHT
      const mid = top + LANE_HEIGHT / 2
      const group = s('g', { class: 'tl-lane' })
      group.append(s('title', {}, this.#describe(lane)))
      if (index % 2 === 1) group.append(s('rect', { x: 0, y: top, width, height: LANE_HEIGHT, class: 'tl-stripe' }))
      group.append(s('text', { x: GUTTER - 8, y: mid + 4, class: 'tl-label', 'text-anchor': 'end' }, `#${lane.id}`))

      const handshakeEnd = lane.openedAt ?? lane.closedAt ?? now
      const x0 = x(lane.startedAt)
      group.append(
        s('rect', {
          x: x0,
          y: mid - 3,
          width: Math.max(2, x(handshakeEnd) - x0),
          height: 6,
          rx: 3,
          class: 'tl-connecting',
        }),
      )
      if (lane.openedAt !== undefined) {
        const x1 = x(lane.openedAt)
        group.append(
          s('rect', {
            x: x1,
            y: mid - 7,
            width: Math.max(2, x(lane.closedAt ?? now) - x1),
            height: 14,
            rx: 3,
            class: 'tl-open',
          }),
        )
      }
      if (lane.closedAt !== undefined && lane.code !== undefined) {
        const cx = x(lane.closedAt)
        if (lane.retry) {
          // A run stopped during the wait (close()) cuts the gap short: that retry never happened.
          const cut = lane.stoppedAt !== undefined && lane.stoppedAt < lane.closedAt + lane.retry.delayMs
          const gx = x(cut ? (lane.stoppedAt ?? now) : lane.closedAt + lane.retry.delayMs)
          group.append(s('line', { x1: cx, x2: gx, y1: mid + 6, y2: mid + 6, class: 'tl-gap' }))
          if (!cut) {
            group.append(s('line', { x1: gx, x2: gx, y1: mid + 2, y2: mid + 10, class: 'tl-gap-end' }))
            group.append(s('text', { x: gx + 4, y: mid + 10, class: 'tl-gap-label' }, formatMs(lane.retry.delayMs)))
          }
        }
        const kind = lane.kind ?? 'retry'
        group.append(s('line', { x1: cx, x2: cx, y1: mid - 10, y2: mid + 10, class: `tl-marker tl-${kind}` }))
        group.append(s('circle', { cx, cy: mid, r: 4, class: `tl-dot tl-${kind}` }))
        group.append(s('text', { x: cx + 6, y: mid - 3, class: `tl-code tl-${kind}` }, String(lane.code)))
      }
      if (lane.stoppedAt !== undefined) {
        const sx = x(lane.stoppedAt)
        group.append(s('rect', { x: sx - 4, y: mid + 2, width: 8, height: 8, class: `tl-stop tl-${lane.stopKind}` }))
        group.append(s('text', { x: sx + 7, y: mid + 10, class: `tl-code tl-${lane.stopKind}` }, 'stopped'))
      }
      nodes.push(group)
    })
    this.#svg.replaceChildren(...nodes)
  }

  /** Wide enough for the recent lanes, in whole 10 s steps so the scale does not jitter every frame. */
  #fitWindow(now: number): number {
    const first = this.#lanes[Math.max(0, this.#lanes.length - MAX_VISIBLE_LANES)]
    const span = first ? now - first.startedAt : 0
    return Math.min(MAX_FIT_MS, Math.max(MIN_FIT_MS, Math.ceil((span * 1.05) / 10_000) * 10_000))
  }

  #current(run: number): Lane | undefined {
    const last = this.#last(run)
    return last && last.closedAt === undefined ? last : undefined
  }

  #last(run: number): Lane | undefined {
    for (let i = this.#lanes.length - 1; i >= 0; i--) if (this.#lanes[i]?.run === run) return this.#lanes[i]
    return undefined
  }

  #endOf(lane: Lane, now: number): number {
    if (lane.closedAt === undefined) return now
    return Math.max(lane.closedAt + (lane.retry?.delayMs ?? 0), lane.stoppedAt ?? 0)
  }

  #describe(lane: Lane): string {
    const parts = [`Connection attempt #${lane.id}`]
    if (lane.openedAt !== undefined) parts.push(`handshake ${formatMs(lane.openedAt - lane.startedAt)}`)
    else if (lane.closedAt !== undefined) parts.push('never opened')
    if (lane.openedAt !== undefined && lane.closedAt !== undefined)
      parts.push(`open ${formatMs(lane.closedAt - lane.openedAt)}`)
    if (lane.code !== undefined) {
      parts.push(`closed ${lane.code} ${describeCloseCode(lane.code).name}${lane.reason ? ` “${lane.reason}”` : ''}`)
    }
    if (lane.retry) parts.push(`retry ${lane.retry.attempt} after ${formatMs(lane.retry.delayMs)}`)
    return parts.join(' · ')
  }
}
