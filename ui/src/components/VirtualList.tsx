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
  /**
   * Asked for when rows that are not loaded are about to show: `loaded` rows are there,
   * and rows up to (not including) `wanted` should be.
   */
  onNeedMore?: (loaded: number, wanted: number) => void;
  /** The selected row, named to assistive technology. */
  activeIndex?: number;
  /** Change it to scroll the selected row into view (keyboard moves do; reloads do not). */
  reveal?: number;
  label: string;
  /** The list's element id; rows get `<id>-<index>`. */
  id?: string;
}

/**
 * A fixed-row-height virtual list: only the rows in view (and a few around them) are in
 * the document, so 20,000 rows scroll like 20. The inner box is as tall as every row, so
 * the scroll bar is true; rows are placed absolutely at `index * rowHeight`.
 */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const { count, items, rowHeight, overscan = 8 } = props;
  const id = props.id ?? "vlist";
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

  // Bring the selected row into view when asked (not when the list appears).
  const revealed = useRef(props.reveal);
  useEffect(() => {
    const el = box.current;
    const i = props.activeIndex;
    if (revealed.current === props.reveal) return;
    revealed.current = props.reveal;
    if (!el || i === undefined || i < 0) return;
    const rowTop = i * rowHeight;
    let next = el.scrollTop;
    if (rowTop < el.scrollTop) next = rowTop;
    else if (rowTop + rowHeight > el.scrollTop + el.clientHeight) next = rowTop + rowHeight - el.clientHeight;
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setTop(el.scrollTop);
    }
  }, [props.reveal, props.activeIndex, rowHeight]);

  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan);

  useEffect(() => {
    if (last > items.length && items.length < count) props.onNeedMore?.(items.length, last);
  }, [last, items.length, count]);

  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i];
    rows.push(
      <div
        class="vrow"
        key={i}
        id={`${id}-${i}`}
        role="option"
        aria-selected={i === props.activeIndex}
        aria-posinset={i + 1}
        aria-setsize={count}
        aria-busy={item === undefined ? true : undefined}
        style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
      >
        {item !== undefined ? props.row(item, i) : props.placeholder?.(i) ?? <div class="placeholder">Loading…</div>}
      </div>,
    );
  }
  const active = props.activeIndex;
  const activeShown = active !== undefined && active >= first && active < last;
  return (
    <div
      ref={box}
      id={id}
      class="vlist"
      role="listbox"
      tabIndex={0}
      aria-label={props.label}
      aria-activedescendant={activeShown ? `${id}-${active}` : undefined}
      onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div class="vspace" style={{ height: `${count * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
