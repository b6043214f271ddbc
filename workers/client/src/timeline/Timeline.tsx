/**
 * Periods as bars on a year axis: a solid bar from the latest start to the earliest stop,
 * lighter ranges where start or stop is uncertain (earliest–latest). Up to MAX_BARS
 * periods are drawn one per row; beyond that the timeline aggregates them into how many
 * periods are in force at each year. Zoom and pan by buttons, wheel and drag; hover for
 * details, click to open. Drawn on a canvas (thousands of bars without DOM cost), with an
 * accessible name and a text alternative.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatRange } from '../search/years';
import { domainOf, pan, tickLabel, ticks, zoom } from './scale';

/** Beyond this many periods, bars would be under 2 px: the timeline aggregates. */
export const MAX_BARS = 200;
const PLOT = 400;
const AXIS = 28;

export interface TimelineProps {
  /** Start earliest, start latest, stop earliest, stop latest per item (NaN when unknown). */
  extents: Float64Array;
  /** Name of the figure, e.g. "Timeline of the periods of …". */
  title: string;
  labelOf: (i: number) => string | undefined;
  onOpen?: (i: number) => void;
  highlight?: number;
  /** More text alternative (e.g. a table of the periods). */
  children?: ComponentChildren;
}

function colors() {
  const style = getComputedStyle(document.documentElement);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return { bar: get('--bar', '#2b5d8a'), range: get('--bar-range', '#9fbad3'), hi: get('--accent', '#b3401f'), text: get('--text', '#1b1b1b'), grid: get('--grid', '#d9d9d9') };
}

export function Timeline({ extents, title, labelOf, onOpen, highlight, children }: TimelineProps) {
  const count = extents.length / 4;
  const domain = useMemo(() => domainOf(extents), [extents]);
  const [view, setView] = useState<[number, number] | null>(domain);
  const [width, setWidth] = useState(640);
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; view: [number, number] } | null>(null);
  useEffect(() => setView(domain), [domain]);

  const aggregate = count > MAX_BARS;
  // Bars in order of start, so overlaps read as a staircase.
  const order = useMemo(() => {
    const o = Int32Array.from({ length: count }, (_, i) => i);
    return aggregate ? o : o.sort((a, b) => (extents[4 * a] || 0) - (extents[4 * b] || 0));
  }, [extents, count, aggregate]);
  const rowHeight = aggregate ? 0 : Math.max(2, Math.min(20, Math.floor(PLOT / Math.max(1, count))));
  const height = aggregate ? 220 : Math.max(60, count * rowHeight) + AXIS;

  useEffect(() => {
    const el = wrap.current!;
    const observer = new ResizeObserver(() => setWidth(Math.max(200, el.clientWidth)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !view) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(width * ratio);
    c.height = Math.round(height * ratio);
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const col = colors();
    const [lo, hi] = view;
    const x = (year: number) => ((year - lo) / (hi - lo)) * width;
    const plot = height - AXIS;
    g.font = '12px system-ui, sans-serif';
    g.fillStyle = col.text;
    g.strokeStyle = col.grid;
    for (const t of ticks(lo, hi, Math.max(2, Math.floor(width / 110)))) {
      const tx = Math.round(x(t)) + 0.5;
      g.beginPath();
      g.moveTo(tx, 0);
      g.lineTo(tx, plot);
      g.stroke();
      g.fillText(tickLabel(t), Math.min(width - 60, Math.max(0, tx - 20)), height - 9);
    }
    if (aggregate) {
      // Periods in force per pixel column: +1 where one starts, -1 after it stops.
      const diff = new Float64Array(width + 2);
      for (let i = 0; i < count; i++) {
        const s = extents[4 * i];
        const e = extents[4 * i + 3];
        if (!Number.isFinite(s) || !Number.isFinite(e) || e < lo || s > hi) continue;
        diff[Math.max(0, Math.floor(x(s)))] += 1;
        diff[Math.min(width + 1, Math.floor(x(e)) + 1)] -= 1;
      }
      const levels = new Float64Array(width);
      let run = 0;
      let max = 1;
      for (let px = 0; px < width; px++) {
        run += diff[px];
        levels[px] = run;
        if (run > max) max = run;
      }
      g.fillStyle = col.bar;
      for (let px = 0; px < width; px++) {
        const h = (levels[px] / max) * (plot - 16);
        g.fillRect(px, plot - h, 1, h);
      }
      g.fillStyle = col.text;
      g.fillText(`up to ${max} periods in force at once`, 4, 12);
      return;
    }
    order.forEach((item, row) => {
      const [se, sl, ee, el] = extents.subarray(4 * item, 4 * item + 4);
      if (!Number.isFinite(se) && !Number.isFinite(el)) return;
      const y = row * rowHeight + 1;
      const h = Math.max(2, rowHeight - 2);
      g.fillStyle = col.range;
      g.fillRect(x(se), y, Math.max(1, x(sl) - x(se)), h);
      g.fillRect(x(ee), y, Math.max(1, x(el) - x(ee)), h);
      g.fillStyle = item === highlight ? col.hi : col.bar;
      g.fillRect(x(sl), y, Math.max(2, x(ee) - x(sl)), h);
      const label = rowHeight >= 14 ? labelOf(item) : undefined;
      if (label) {
        // Right of the bar, else left of it, else inside it in white.
        const w = g.measureText(label).width;
        const right = x(el) + 4;
        const left = x(se) - w - 4;
        const inside = right + w > width - 2 && left < 2;
        g.fillStyle = inside ? '#fff' : col.text;
        g.fillText(label, inside ? Math.max(2, x(sl) + 3) : right + w <= width - 2 ? right : left, y + h - 3);
      }
    });
  }, [view, width, height, extents, order, rowHeight, aggregate, highlight, labelOf]);

  if (!domain || !view) return <p>No period here has dates to draw on a timeline.</p>;

  const yearAt = (px: number) => view[0] + (px / width) * (view[1] - view[0]);
  const itemAt = (px: number, py: number): number | null => {
    if (aggregate || py >= height - AXIS) return null;
    const item = order[Math.floor(py / rowHeight)];
    return item === undefined ? null : item;
  };
  const span = view[1] - view[0];
  const summary = `${title}: ${count} period${count === 1 ? '' : 's'} between ${tickLabel(Math.round(domain[0]))} and ${tickLabel(Math.round(domain[1]))}${aggregate ? ', drawn as how many periods are in force at each date' : ''}.`;
  const hovered = hover ? hover.i : null;

  return (
    <figure class="timeline">
      <div class="timeline-tools" role="group" aria-label="Timeline zoom and pan">
        <button type="button" onClick={() => setView(zoom(view, 0.5, (view[0] + view[1]) / 2, domain))}>
          Zoom in
        </button>
        <button type="button" onClick={() => setView(zoom(view, 2, (view[0] + view[1]) / 2, domain))}>
          Zoom out
        </button>
        <button type="button" onClick={() => setView(pan(view, -span / 4, domain))}>
          Earlier
        </button>
        <button type="button" onClick={() => setView(pan(view, span / 4, domain))}>
          Later
        </button>
        <button type="button" onClick={() => setView(domain)}>
          Reset
        </button>
        <span class="timeline-range">
          {tickLabel(Math.round(view[0]))} – {tickLabel(Math.round(view[1]))}
        </span>
      </div>
      <div class="timeline-canvas" ref={wrap}>
        <canvas
          ref={canvas}
          role="img"
          aria-label={summary}
          style={{ width: `${width}px`, height: `${height}px`, cursor: aggregate ? 'grab' : 'pointer' }}
          onWheel={(e) => {
            e.preventDefault();
            const rect = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
            setView(zoom(view, e.deltaY > 0 ? 1.25 : 0.8, yearAt(e.clientX - rect.left), domain));
          }}
          onPointerDown={(e) => {
            drag.current = { x: e.clientX, view };
          }}
          onPointerUp={(e) => {
            const d = drag.current;
            drag.current = null;
            if (d && Math.abs(e.clientX - d.x) < 4 && onOpen) {
              const rect = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
              const item = itemAt(e.clientX - rect.left, e.clientY - rect.top);
              if (item !== null) onOpen(item);
            }
          }}
          onPointerLeave={() => {
            drag.current = null;
            setHover(null);
          }}
          onPointerMove={(e) => {
            const rect = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
            const d = drag.current;
            if (d && e.buttons) {
              setView(pan(d.view, -((e.clientX - d.x) / width) * (d.view[1] - d.view[0]), domain));
              return;
            }
            const item = itemAt(e.clientX - rect.left, e.clientY - rect.top);
            setHover(item === null ? null : { i: item, x: e.clientX - rect.left, y: e.clientY - rect.top });
          }}
        />
        {hovered !== null ? (
          <div class="timeline-tip" style={{ left: `${Math.min(hover!.x + 12, width - 220)}px`, top: `${hover!.y + 12}px` }}>
            <strong>{labelOf(hovered) ?? 'Period'}</strong>
            <br />
            {formatRange(extents[4 * hovered], extents[4 * hovered + 1])} to {formatRange(extents[4 * hovered + 2], extents[4 * hovered + 3])}
          </div>
        ) : null}
      </div>
      <figcaption>{summary}</figcaption>
      {children}
    </figure>
  );
}
