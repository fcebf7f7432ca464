/** An inline SVG chart of AI lines per day: all inserted lines as bars, the kept ones darker. */
import { esc } from './html';

export interface ChartPoint {
  day: string;
  lines: number;
  keptLines: number;
}

export function linesChart(points: ChartPoint[], width = 1000, height = 220): string {
  if (points.length === 0) return '<p class="empty">No AI edits in this range.</p>';
  const pad = { left: 48, right: 12, top: 16, bottom: 34 };
  const max = Math.max(1, ...points.map((p) => p.lines));
  const w = (width - pad.left - pad.right) / points.length;
  const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const bars = points
    .map((p, i) => {
      const x = pad.left + i * w;
      const share = p.lines ? Math.round((100 * p.keptLines) / p.lines) : 0;
      const title = `<title>${esc(p.day)}: ${p.lines} AI lines, ${p.keptLines} kept (${share}%)</title>`;
      return `<g>${title}<rect x="${x.toFixed(1)}" y="${y(p.lines).toFixed(1)}" width="${Math.max(1, w - 2).toFixed(1)}" height="${(y(0) - y(p.lines)).toFixed(1)}" fill="#c5d0fa"/>` +
        `<rect x="${x.toFixed(1)}" y="${y(p.keptLines).toFixed(1)}" width="${Math.max(1, w - 2).toFixed(1)}" height="${(y(0) - y(p.keptLines)).toFixed(1)}" fill="#3b5bdb"/></g>`;
    })
    .join('');
  const step = Math.max(1, Math.ceil(points.length / 8));
  const labels = points
    .map((p, i) => (i % step === 0 ? `<text x="${(pad.left + i * w).toFixed(1)}" y="${height - 12}" font-size="11" fill="#667085">${esc(p.day)}</text>` : ''))
    .join('');
  const axis = `<text x="4" y="${pad.top + 10}" font-size="11" fill="#667085">${max}</text><text x="4" y="${y(0)}" font-size="11" fill="#667085">0</text>` +
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(0)}" y2="${y(0)}" stroke="#e4e7ec"/>`;
  const legend = `<text x="${width - 260}" y="12" font-size="11" fill="#667085"><tspan fill="#3b5bdb">■</tspan> kept AI lines  <tspan fill="#c5d0fa">■</tspan> all AI lines</text>`;
  return `<svg class="chart" role="img" aria-label="AI lines per day" viewBox="0 0 ${width} ${height}" width="100%">${axis}${bars}${labels}${legend}</svg>`;
}
