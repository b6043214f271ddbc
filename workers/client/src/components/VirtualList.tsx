import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A list that renders only the rows in view (plus a margin), so 50,000 results scroll as
 * smoothly as 50. Rows have a fixed height; the list says its size and each row its
 * position to assistive technology.
 */
export function VirtualList<T>({
  count,
  rowHeight,
  label,
  row,
  need,
  render,
}: {
  count: number;
  rowHeight: number;
  label: string;
  /** The row at a position, if it has arrived. */
  row: (i: number) => T | undefined;
  /** Asks for the rows [from, to). */
  need: (from: number, to: number) => void;
  render: (item: T, i: number) => ComponentChildren;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(480);
  useEffect(() => {
    const el = box.current!;
    const onScroll = () => setTop(el.scrollTop);
    const resize = new ResizeObserver(() => setHeight(el.clientHeight || 480));
    el.addEventListener('scroll', onScroll, { passive: true });
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resize.disconnect();
    };
  }, []);
  // A new result starts at its top. Setting scrollTop forces a layout, which costs a few ms
  // on every keystroke, so it is set only when the list is not there already.
  useEffect(() => {
    if (top !== 0 && box.current) box.current.scrollTop = 0;
    setTop(0);
  }, [count]);
  const margin = 10;
  const from = Math.max(0, Math.floor(top / rowHeight) - margin);
  const to = Math.min(count, Math.ceil((top + height) / rowHeight) + margin);
  useEffect(() => {
    if (to > from) need(from, to);
  }, [from, to, need]);
  const items: ComponentChildren[] = [];
  for (let i = from; i < to; i++) {
    const item = row(i);
    items.push(
      <li key={i} aria-setsize={count} aria-posinset={i + 1} style={{ height: `${rowHeight}px` }}>
        {item === undefined ? <span class="placeholder">…</span> : render(item, i)}
      </li>,
    );
  }
  return (
    <div class="virtual" ref={box} tabIndex={0} role="region" aria-label={label}>
      <ul style={{ height: `${count * rowHeight}px`, paddingTop: `${from * rowHeight}px` }}>{items}</ul>
    </div>
  );
}
