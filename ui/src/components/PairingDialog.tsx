import { useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf } from "../api";
import type { PairingRequestRow } from "../bindings";

/**
 * A phone presented the pairing code and waits: the person compares its name and
 * fingerprint with what the phone shows, and accepts or rejects it. Nothing is paired
 * before Accept; Reject (focused first) is the safe answer to a phone nobody is holding.
 */
export function PairingDialog(props: { requests: PairingRequestRow[] }) {
  const request = props.requests[0];
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(Date.now());
  const reject = useRef<HTMLButtonElement>(null);
  const endpoint = request?.endpoint;
  useEffect(() => {
    setError("");
    setBusy(false);
    reject.current?.focus();
  }, [endpoint]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!request) return null;
  const answer = (p: Promise<unknown>) => {
    setBusy(true);
    setError("");
    p.catch((e) => {
      setError(messageOf(e));
      setBusy(false);
    });
  };
  const left = Math.max(0, Math.ceil((request.expires_ms - now) / 1000));
  return (
    <div class="dialog-backdrop">
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="pairing-title" aria-describedby="pairing-what" data-testid="pairing-request">
        <h2 id="pairing-title">A phone asks to pair with this desktop</h2>
        <dl class="pairing-who">
          <dt>Phone</dt>
          <dd data-testid="pairing-name">{request.name}</dd>
          <dt>Fingerprint</dt>
          <dd>
            <code class="code" data-testid="pairing-fingerprint">
              {request.fingerprint}
            </code>
          </dd>
        </dl>
        <p id="pairing-what">
          Accept only if you are pairing this phone now and it shows the same fingerprint. Once accepted, it sees every
          conversation here and receives the settings you save for it.
        </p>
        <p class="muted">{left > 0 ? `The phone waits ${left} s more.` : "The phone stopped waiting."}</p>
        {props.requests.length > 1 && <p class="muted">{props.requests.length - 1} more waiting after this one.</p>}
        {error && (
          <p role="alert" class="error-inline">
            {error}
          </p>
        )}
        <p class="dialog-actions">
          <button ref={reject} type="button" class="btn" data-testid="pairing-reject" disabled={busy} onClick={() => answer(api.rejectPairing(request.endpoint))}>
            Reject
          </button>{" "}
          <button type="button" class="btn primary" data-testid="pairing-accept" disabled={busy} onClick={() => answer(api.acceptPairing(request.endpoint))}>
            Accept {request.name}
          </button>
        </p>
      </div>
    </div>
  );
}
