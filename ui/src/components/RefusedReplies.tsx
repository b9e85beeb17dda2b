// Replies a phone refused to send that have no conversation to show the refusal in: a
// desktop (this one or another, perhaps one that went wrong) asked the phone to text a number
// that never called or texted the business.
import { useEffect, useState } from "preact/hooks";
import { api, messageOf, type RefusedReply } from "../api";
import { when } from "../format";

export function RefusedReplies(props: { phone: string; name: string }) {
  const [rows, setRows] = useState<RefusedReply[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api
      .refusedReplies(props.phone)
      .then((r) => {
        setRows(r);
        setError("");
      })
      .catch((e) => setError(messageOf(e)));
  }, [props.phone]);
  if (error) {
    return (
      <p role="alert" class="error-inline">
        {error}
      </p>
    );
  }
  if (!rows || rows.length === 0) return null;
  return (
    <details class="refused" data-testid="refused-replies">
      <summary>
        {props.name} refused {rows.length === 1 ? "1 reply" : `${rows.length} replies`} to numbers that never got in touch
      </summary>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">To</th>
            <th scope="col">From</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-testid="refused-reply">
              <td>{when(r.requested_ms)}</td>
              <td>{r.to || "—"}</td>
              <td>{r.desktop}</td>
              <td title={r.preview}>{r.words}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
