/**
 * A hand-written SVG line chart: attempts per window over time, one line per
 * strategy, one panel per scenario. The y axis is logarithmic (log10(1 + n))
 * so a 10,000-attempt spike and a 50-attempt trickle are both readable.
 */

export interface Series {
  readonly name: string
  /** Attempts per window, from t = 0. */
  readonly perWindow: readonly number[]
  /** Shown after the name in the legend. */
  readonly note: string
}

export interface Panel {
  readonly title: string
  readonly series: readonly Series[]
}

export interface ChartOptions {
  readonly windowMs: number
  /** The x axis ends here; lines that go on are cut (their legend note says so). */
  readonly xMaxMs: number
  /** Drawn as a dashed line: the server's capacity per window. */
  readonly capacityPerWindow: number
  readonly yMax: number
}

const COLORS = ['#d62728', '#2ca02c', '#1f77b4', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf']

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function fixed(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1)
}

export function renderChart(title: string, panels: readonly Panel[], options: ChartOptions): string {
  const width = 960
  const left = 64
  const right = 16
  const plotWidth = width - left - right
  const plotHeight = 260
  const legendLine = 16
  const titleHeight = 40
  const out: string[] = []
  let y0 = titleHeight
  const logMax = Math.log10(1 + options.yMax)
  const bins = Math.ceil(options.xMaxMs / options.windowMs)
  const xOf = (bin: number) => left + (plotWidth * bin) / bins
  const yOf = (top: number, n: number) =>
    top + plotHeight - (plotHeight * Math.log10(1 + Math.min(n, options.yMax))) / logMax

  for (const panel of panels) {
    const top = y0 + 24
    out.push(`<text x="${left}" y="${y0 + 16}" font-size="14" font-weight="bold">${xml(panel.title)}</text>`)
    out.push(
      `<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999" stroke-width="1"/>`,
    )
    for (let tick = 1; tick <= options.yMax; tick *= 10) {
      const y = fixed(yOf(top, tick))
      out.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="#eee"/>`)
      out.push(
        `<text x="${left - 6}" y="${y}" font-size="11" text-anchor="end" dy="4">${tick.toLocaleString('en-US')}</text>`,
      )
    }
    out.push(`<text x="${left - 6}" y="${top + plotHeight}" font-size="11" text-anchor="end" dy="4">0</text>`)
    for (let s = 0; s <= options.xMaxMs / 1000; s += 10) {
      const x = fixed(left + (plotWidth * s * 1000) / options.xMaxMs)
      out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotHeight}" stroke="#eee"/>`)
      out.push(`<text x="${x}" y="${top + plotHeight + 14}" font-size="11" text-anchor="middle">${s} s</text>`)
    }
    const cap = fixed(yOf(top, options.capacityPerWindow))
    out.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${cap}" y2="${cap}" stroke="#000" stroke-dasharray="4 4" stroke-width="1"/>`,
    )
    out.push(
      `<text x="${left + plotWidth - 4}" y="${cap}" dy="-4" font-size="11" text-anchor="end">server capacity: ${options.capacityPerWindow} per ${options.windowMs} ms on average</text>`,
    )
    panel.series.forEach((series, i) => {
      const color = COLORS[i % COLORS.length]!
      // A step line: one horizontal segment per run of equal windows.
      const points: string[] = []
      for (let bin = 0; bin < bins; ) {
        const n = series.perWindow[bin] ?? 0
        let end = bin + 1
        while (end < bins && (series.perWindow[end] ?? 0) === n) end++
        const y = fixed(yOf(top, n))
        points.push(`${fixed(xOf(bin))},${y}`, `${fixed(xOf(end))},${y}`)
        bin = end
      }
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.5" stroke-opacity="0.85" points="${points.join(' ')}"/>`,
      )
    })
    const legendTop = top + plotHeight + 30
    panel.series.forEach((series, i) => {
      const color = COLORS[i % COLORS.length]!
      const y = legendTop + i * legendLine
      out.push(`<line x1="${left}" x2="${left + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="3"/>`)
      out.push(
        `<text x="${left + 32}" y="${y}" font-size="12"><tspan font-weight="bold">${xml(series.name)}</tspan> ${xml(series.note)}</text>`,
      )
    })
    y0 = legendTop + panel.series.length * legendLine + 8
  }

  const height = y0 + 8
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" role="img" aria-labelledby="herd-title">`,
    `<title id="herd-title">${xml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${xml(title)}</text>`,
    `<text x="${left}" y="${titleHeight - 2}" font-size="11" fill="#555">attempts per ${options.windowMs} ms window (log scale), first seed</text>`,
    ...out,
    '</svg>',
    '',
  ].join('\n')
}
