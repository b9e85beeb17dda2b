import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf, type CallRow, type ConvKey } from "../api";
import { decisionWords, outcomeWords, when } from "../format";
import { TextThemNow } from "../components/TextThemNow";

const PAGE = 100;

export function Calls(props: { version: number; onOpen: (k: ConvKey) => void }) {
  const [calls, setCalls] = useState<CallRow[]>([]);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);

  useEffect(() => {
    api
      .missedCalls(null, Math.max(PAGE, Math.min(calls.length, 2000)))
      .then((page) => {
        setCalls(page);
        setDone(page.length < PAGE);
        setError(null);
      })
      .catch((e) => setError(messageOf(e)));
  }, [props.version]);

  const more = useCallback(() => {
    const last = calls[calls.length - 1];
    if (!last || done || loading.current) return;
    loading.current = true;
    api
      .missedCalls({ ended_ms: last.ended_ms, phone: last.phone, id: last.id }, PAGE)
      .then((page) => {
        setCalls((c) => [...c, ...page]);
        setDone(page.length < PAGE);
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => {
        loading.current = false;
      });
  }, [calls, done]);

  return (
    <section class="page" aria-labelledby="calls-title">
      <h1 id="calls-title">Missed calls</h1>
      <p class="lede">Every call the phone made a decision about: what it did, and whether the caller wrote back.</p>
      {error && (
        <div role="alert" class="error-inline">
          {error}
        </div>
      )}
      {calls.length === 0 && !error ? (
        <p class="empty">No missed calls yet.</p>
      ) : (
        <div
          class="table-wrap"
          onScroll={(e) => {
            const el = e.currentTarget as HTMLDivElement;
            if (el.scrollHeight - el.scrollTop - el.clientHeight < 200) more();
          }}
        >
          <table class="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Caller</th>
                <th scope="col">Line</th>
                <th scope="col">Call</th>
                <th scope="col">What the phone did</th>
                <th scope="col">Replied</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c) => (
                <tr
                  key={`${c.phone}-${c.id}`}
                  data-testid="call-row"
                  data-number={c.caller}
                  class={c.conversation ? "clickable" : undefined}
                  tabIndex={c.conversation ? 0 : undefined}
                  onClick={() => c.conversation && props.onOpen(c.conversation)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && c.conversation) props.onOpen(c.conversation);
                  }}
                >
                  <td>{when(c.ended_ms)}</td>
                  <td>{c.contact_name ?? c.display_number}</td>
                  <td>{c.line}</td>
                  <td>{outcomeWords(c.outcome)}</td>
                  <td data-testid="call-decision" class={c.decision === "text_back" ? "ok" : "muted"}>
                    {decisionWords(c)} <TextThemNow c={c} />
                  </td>
                  <td>{c.replied ? "Yes" : "No"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!done && (
            <button type="button" class="linkbtn" onClick={more}>
              Show older calls
            </button>
          )}
        </div>
      )}
    </section>
  );
}
