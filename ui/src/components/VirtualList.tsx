import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";

export interface VirtualListProps<T> {
  /** How many rows the list has in all (loaded or not). */
  count: number;
  /** Rows loaded so far, from the top. */
  items: T[];
  rowHeight: number;
  /** Rows drawn above and below the visible ones. */
  overscan?: number;
  /** Draws a loaded row. */
  row: (item: T, index: number) => ComponentChildren;
  /** Draws a row that is not loaded yet. */
  placeholder?: (index: number) => ComponentChildren;
  /** Asked for when a row at or past `index` is about to show and is not loaded. */
  onNeedMore?: (index: number) => void;
  /** Keeps this row in view when it changes (keyboard selection). */
  scrollToIndex?: number;
  label: string;
  id?: string;
}

/**
 * A fixed-row-height virtual list: only the rows in view (and a few around them) are in
 * the document, so 20,000 rows scroll like 20.
 */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const { count, items, rowHeight, overscan = 8 } = props;
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || 600);
    measure();
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(measure);
      ro.observe(el);
      return () => ro.disconnect();
    }
  }, []);

  useEffect(() => {
    const el = box.current;
    const i = props.scrollToIndex;
    if (!el || i === undefined || i < 0) return;
    const rowTop = i * rowHeight;
    if (rowTop < el.scrollTop) el.scrollTop = rowTop;
    else if (rowTop + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + rowHeight - el.clientHeight;
  }, [props.scrollToIndex, rowHeight]);

  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan);

  useEffect(() => {
    if (last > items.length && items.length < count) props.onNeedMore?.(items.length);
  }, [last, items.length, count]);

  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i];
    rows.push(
      <div class="vrow" key={i} style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>
        {item !== undefined ? props.row(item, i) : props.placeholder?.(i) ?? <div class="placeholder" aria-hidden="true" />}
      </div>,
    );
  }
  return (
    <div
      ref={box}
      id={props.id}
      class="vlist"
      role="listbox"
      tabIndex={0}
      aria-label={props.label}
      aria-rowcount={count}
      onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div class="vspace" style={{ height: `${count * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
