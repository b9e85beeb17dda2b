import { useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf, type Devices, type PeerRow } from "../api";
import { RefusedReplies } from "../components/RefusedReplies";
import type { Network } from "../bindings";
import { clock, when } from "../format";

export function linkWords(p: PeerRow): string {
  if (p.link === "direct") return "Connected (direct)";
  if (p.link === "relay") return "Connected (relayed, still end-to-end encrypted)";
  // The phone heartbeats every 30 s: since when it is silent is the last time it was heard.
  return p.offline_since_ms
    ? `Phone silent since ${when(p.offline_since_ms)} — open Ringback on the phone`
    : "Not connected yet — open Ringback on the phone";
}

export function DevicesScreen(props: { phones: PeerRow[] }) {
  const [d, setD] = useState<Devices | null>(null);
  const [error, setError] = useState("");
  const [now, setNow] = useState(Date.now());
  const [network, setNetwork] = useState<Network>("default");
  const [relay, setRelay] = useState("");
  const [saved, setSaved] = useState("");
  const [copied, setCopied] = useState(false);

  const show = (p: Promise<Devices>) =>
    p
      .then((x) => {
        setD(x);
        setNetwork(x.network);
        setRelay(x.relay_url);
        setError("");
      })
      .catch((e) => setError(messageOf(e)));

  useEffect(() => {
    show(api.devices());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const left = d ? Math.max(0, d.expires_ms - now) : 0;
  // The live list (the app follows pairing and connection changes).
  const phones = props.phones;
  return (
    <section class="page" aria-labelledby="devices-title">
      <h1 id="devices-title">Devices</h1>
      {error && (
        <div role="alert" class="error-inline">
          {error}
        </div>
      )}
      <h2>Pair a phone</h2>
      <p class="lede">
        On the business phone, open Ringback and scan this code, or type the short code. A code works once, for ten
        minutes.
      </p>
      {d && (
        <div class="pair">
          <img data-testid="qr" class="qr" alt="Pairing QR code" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(d.qr_svg)}`} />
          <div>
            <p>
              <code class="code" data-testid="short-code">
                {d.short_code}
              </code>
            </p>
            <p>
              <button
                type="button"
                class="btn"
                onClick={() => {
                  const done = () => setCopied(true);
                  if (navigator.clipboard) navigator.clipboard.writeText(d.short_code).then(done, () => setCopied(false));
                }}
              >
                {copied ? "Copied" : "Copy code"}
              </button>{" "}
              <button
                type="button"
                class="btn"
                onClick={() => {
                  setCopied(false);
                  show(api.newTicket());
                }}
              >
                New code
              </button>
            </p>
            <p class="muted" data-testid="code-expiry">
              {left > 0 ? `Expires in ${Math.ceil(left / 60000)} min` : "This code has expired: press New code."}
            </p>
          </div>
        </div>
      )}
      <h2>Paired phones</h2>
      {phones.length === 0 ? (
        <p class="empty">No phone is paired yet.</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Phone</th>
              <th scope="col">Connection</th>
              <th scope="col">Last sync</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {phones.map((p) => (
              <tr key={p.endpoint} data-testid="peer-row">
                <td>{p.name}</td>
                <td class={`link-${p.link}`}>{linkWords(p)}</td>
                <td>{p.last_sync_ms ? clock(p.last_sync_ms) : "—"}</td>
                <td>
                  <Unpair
                    peer={p}
                    onUnpair={() =>
                      api
                        .unpair(p.endpoint)
                        .then(() => show(api.devices()))
                        .catch((e) => setError(messageOf(e)))
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {phones.map((p) => (
        <RefusedReplies key={p.endpoint} phone={p.endpoint} name={p.name} />
      ))}
      <h2>Network</h2>
      <fieldset class="network">
        <legend>How this desktop reaches phones</legend>
        {(
          [
            ["default", "Anywhere (recommended): works over mobile data and office networks, through relays when needed"],
            ["self_hosted_relay", "Through our own relay"],
            ["lan_only", "This office network only (no relay)"],
          ] as [Network, string][]
        ).map(([id, label]) => (
          <label key={id} class="radio">
            <input type="radio" name="network" value={id} checked={network === id} onChange={() => setNetwork(id)} />
            {label}
          </label>
        ))}
        {network === "self_hosted_relay" && (
          <label class="stack">
            Relay address
            <input value={relay} placeholder="https://relay.example.com" onInput={(e) => setRelay((e.currentTarget as HTMLInputElement).value)} />
          </label>
        )}
        <button
          type="button"
          class="btn"
          onClick={() =>
            api
              .setNetwork(network, relay)
              .then((x) => {
                setD(x);
                setSaved("Saved. Restart Ringback to use it.");
              })
              .catch((e) => setError(messageOf(e)))
          }
        >
          Save network
        </button>
        <span role="status" class="muted">
          {saved || (d?.restart_needed ? "Restart Ringback to use the new network." : "")}
        </span>
      </fieldset>
    </section>
  );
}

/** Unpair, asked twice: the first press shows what it does and a confirm button. */
function Unpair(props: { peer: PeerRow; onUnpair: () => void }) {
  const [asking, setAsking] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) cancel.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" class="btn danger small" aria-label={`Unpair ${props.peer.name}`} onClick={() => setAsking(true)}>
        Unpair
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={`Unpair ${props.peer.name}?`}>
      <span>It stops syncing at once; to use it again, pair it with a new code.</span>{" "}
      <button
        type="button"
        class="btn danger small"
        onClick={() => {
          setAsking(false);
          props.onUnpair();
        }}
      >
        Yes, unpair
      </button>{" "}
      <button ref={cancel} type="button" class="btn small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
