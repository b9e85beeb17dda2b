import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf, sameKey, type ConvKey, type ConversationRow, type SearchHit } from "../api";
import type { InboxFilter } from "../bindings";
import { VirtualList } from "../components/VirtualList";
import { leadWords, when } from "../format";
import { Conversation } from "./Conversation";

const FILTERS: { id: InboxFilter; label: string }[] = [
  { id: "all", label: "All" },
  { id: "unread", label: "Unread" },
  { id: "needs_reply", label: "Needs reply" },
  { id: "booked", label: "Booked" },
  { id: "opted_out", label: "Opted out" },
];
const PAGE = 200;
export const ROW_HEIGHT = 68;

let inboxShown = false;
/** The start-up marks: the first time the inbox is on screen. */
function markInboxVisible() {
  if (inboxShown) return;
  inboxShown = true;
  requestAnimationFrame(() => {
    performance.mark("inbox-visible");
    document.documentElement.dataset.inboxVisible = "1";
    api.uiReady("inbox").catch(() => undefined);
  });
}

export function Inbox(props: { version: number; open: ConvKey | null; onOpen: (k: ConvKey | null) => void; noPhone: boolean }) {
  const [filter, setFilter] = useState<InboxFilter>("all");
  const [count, setCount] = useState(0);
  const [rows, setRows] = useState<ConversationRow[]>([]);
  const [selected, setSelected] = useState(0);
  const [reveal, setReveal] = useState(0);
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);
  const search = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const generation = useRef(0);
  const searchGeneration = useRef(0);
  // The selected conversation, so a reload (new texts move rows) keeps it selected.
  const selectedKey = useRef<ConvKey | null>(null);
  const selectedRef = useRef(0);
  selectedRef.current = selected;
  const rowsRef = useRef<ConversationRow[]>([]);
  rowsRef.current = rows;
  useEffect(() => {
    const c = (hits ?? rows)[selected];
    if (c) selectedKey.current = c.key;
  }, [selected]);

  const reload = useCallback(
    (keep: number) => {
      const gen = ++generation.current;
      // What the person is looking at: the first row in view, to keep it in place.
      const el = list.current?.querySelector<HTMLElement>(".vlist");
      const scrolled = el ? el.scrollTop : 0;
      const anchorAt = Math.floor(scrolled / ROW_HEIGHT);
      const anchor = scrolled > 0 ? rowsRef.current[anchorAt]?.key : undefined;
      const limit = Math.min(Math.max(keep, PAGE), 2000);
      Promise.all([api.inboxCount(filter), api.inboxPage(filter, null, limit)])
        .then(([n, page]) => {
          if (gen !== generation.current) return;
          setCount(Math.max(n, page.length));
          setRows(page);
          const k = selectedKey.current;
          const at = k ? page.findIndex((r) => sameKey(r.key, k)) : -1;
          if (at >= 0 && at !== selectedRef.current) setSelected(at);
          if (anchor && el) {
            const moved = page.findIndex((r) => sameKey(r.key, anchor));
            if (moved >= 0 && moved !== anchorAt) el.scrollTop = scrolled + (moved - anchorAt) * ROW_HEIGHT;
          }
          setError(null);
          markInboxVisible();
        })
        .catch((e) => {
          setError(messageOf(e));
          markInboxVisible();
        });
    },
    [filter],
  );

  useEffect(() => {
    selectedKey.current = null;
    reload(PAGE);
  }, [filter]);
  useEffect(() => {
    if (props.version > 0) reload(rows.length);
  }, [props.version]);

  // The next rows after the last loaded one (keyset cursor). Pages of 200; when the person
  // drags the scroll bar far ahead, one bigger page (up to 2,000) reaches the rows in view.
  const more = useCallback((loaded: number, wanted: number) => {
    if (loading.current || rows.length === 0 || rows.length >= count || loaded !== rows.length) return;
    loading.current = true;
    const last = rows[rows.length - 1];
    const gen = generation.current;
    const limit = Math.min(Math.max(PAGE, Math.ceil((wanted - loaded) / PAGE) * PAGE), 2000);
    api
      .inboxPage(filter, { last_activity_ms: last.last_activity_ms, phone: last.key.phone, id: last.key.id }, limit)
      .then((page) => {
        if (gen !== generation.current) return;
        setRows((r) => [...r, ...page]);
        if (page.length === 0) setCount(rows.length);
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => {
        loading.current = false;
      });
  }, [rows, count, filter]);

  // Search, debounced; an empty box brings the inbox back.
  useEffect(() => {
    const q = query.trim();
    const gen = ++searchGeneration.current;
    if (!q) {
      setHits(null);
      return;
    }
    const t = setTimeout(() => {
      api
        .search(q, 50)
        .then((h) => gen === searchGeneration.current && setHits(h))
        .catch((e) => gen === searchGeneration.current && setError(messageOf(e)));
    }, 150);
    return () => clearTimeout(t);
  }, [query]);

  // `/` focuses the search box from anywhere but a text field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      if (e.key === "/" && !typing) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const shown: { key: ConvKey }[] = hits ?? rows;
  const onListKey = (e: KeyboardEvent) => {
    const total = hits ? hits.length : count;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setSelected((i) => Math.min(i + 1, Math.max(total - 1, 0)));
      setReveal((r) => r + 1);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setSelected((i) => Math.max(i - 1, 0));
      setReveal((r) => r + 1);
    } else if (e.key === "Enter") {
      const item = shown[selected];
      if (item) {
        e.preventDefault();
        props.onOpen(item.key);
      }
    }
  };

  return (
    <div class="inbox">
      <section class="inbox-list" aria-label="Conversations">
        <div class="inbox-tools">
          <input
            ref={search}
            type="search"
            data-testid="search"
            class="search"
            placeholder="Search messages and names  ( / )"
            aria-label="Search messages and contact names"
            value={query}
            onInput={(e) => {
              setQuery((e.currentTarget as HTMLInputElement).value);
              setSelected(0);
            }}
            onKeyDown={(e) => {
              if (e.key === "ArrowDown" || e.key === "Enter") {
                list.current?.querySelector<HTMLElement>(".vlist, .hits")?.focus();
                if (e.key === "Enter") onListKey(e);
              } else if (e.key === "Escape") setQuery("");
            }}
          />
          <div class="filters" role="tablist" aria-label="Show">
            {FILTERS.map((f) => (
              <button
                key={f.id}
                type="button"
                role="tab"
                aria-selected={filter === f.id}
                class={filter === f.id ? "chipbtn active" : "chipbtn"}
                onClick={() => {
                  setFilter(f.id);
                  setSelected(0);
                }}
              >
                {f.label}
              </button>
            ))}
          </div>
        </div>
        {error && (
          <div role="alert" class="error-inline">
            {error}
          </div>
        )}
        <div ref={list} class="list-box" onKeyDown={onListKey}>
          {hits ? (
            <ul class="hits" tabIndex={0} aria-label="Search results">
              {hits.length === 0 && <li class="empty">Nothing matches “{query.trim()}”.</li>}
              {hits.map((h, i) => (
                <li key={`${h.key.phone}-${h.key.id}-${h.message_id ?? "c"}`}>
                  <button
                    type="button"
                    class={i === selected ? "hit selected" : "hit"}
                    onClick={() => props.onOpen(h.key)}
                  >
                    <strong>{h.contact_name ?? h.display_number}</strong>
                    <span class="snippet">{h.snippet}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : count === 0 ? (
            <p class="empty">
              {props.noPhone
                ? "No phone is paired yet. Pair the business phone under Devices, and its missed calls and texts appear here."
                : filter === "all"
                  ? "No conversations yet. When a missed caller gets a text-back, the conversation starts here."
                  : "No conversations match this filter."}
            </p>
          ) : (
            <VirtualList
              key={filter}
              id="inbox-rows"
              label="Conversations, most recent first"
              count={count}
              items={rows}
              rowHeight={ROW_HEIGHT}
              activeIndex={selected}
              reveal={reveal}
              onNeedMore={more}
              row={(c, i) => (
                <ConversationItem row={c} selected={i === selected} open={sameKey(c.key, props.open)} onClick={() => {
                  setSelected(i);
                  props.onOpen(c.key);
                }} />
              )}
            />
          )}
        </div>
      </section>
      <section class="inbox-detail" aria-label="Conversation">
        {props.open ? (
          <Conversation key={`${props.open.phone}-${props.open.id}`} convKey={props.open} version={props.version} />
        ) : (
          <p class="empty center">Choose a conversation.</p>
        )}
      </section>
    </div>
  );
}

function ConversationItem(props: { row: ConversationRow; selected: boolean; open: boolean; onClick: () => void }) {
  const c = props.row;
  const who = c.contact_name ?? c.display_number;
  return (
    <div
      data-testid="conv-row"
      data-number={c.number}
      data-unread={c.unread}
      class={`conv${props.selected ? " selected" : ""}${props.open ? " open" : ""}${c.unread > 0 ? " unread" : ""}`}
      onClick={props.onClick}
    >
      <div class="conv-top">
        <span class="who">{who}</span>
        <span class="time">{when(c.last_activity_ms)}</span>
      </div>
      <div class="conv-bottom">
        <span class="preview">
          {c.preview_direction === "outbound" ? "You: " : ""}
          {c.preview}
        </span>
        {c.unread > 0 && (
          <span class="badge" aria-label={`${c.unread} unread`}>
            {c.unread}
          </span>
        )}
      </div>
      <div class="conv-meta">
        <span class={`chip lead-${c.lead_status}`}>{leadWords(c.lead_status)}</span>
        {c.opted_out && <span class="chip optout">Opted out</span>}
        {c.paused && !c.opted_out && (
          <span class="chip paused" title="They may have asked not to be texted: automatic texts wait for your decision">
            Paused
          </span>
        )}
        <span class="line">{c.line}</span>
      </div>
    </div>
  );
}
