import { useEffect, useRef, useState } from "preact/hooks";
import { AppError, api, messageOf, type AppErrorShape, type Data, type Devices, type PeerRow } from "../api";
import { RefusedReplies } from "../components/RefusedReplies";
import { DiagnosticsPanel } from "../components/Diagnostics";
import { HealthChecklist } from "../components/HealthChecklist";
import type { Network } from "../bindings";
import { clock, when } from "../format";
import { sizeWords } from "../components/Photos";
import { Field, NumberInput } from "./settings/form";

/**
 * A phone's link in words: how it is reached (direct on this network, direct over the
 * internet, or through which relay, by its host), its round-trip time and since when —
 * "Through relay relay.example.com · 84 ms · since 09:12".
 */
export function linkWords(p: PeerRow, now: number = Date.now()): string {
  const parts = (how: string) =>
    [how, p.rtt_ms != null ? `${p.rtt_ms} ms` : null, p.since_ms ? `since ${when(p.since_ms, now)}` : null]
      .filter((x) => x !== null)
      .join(" · ");
  switch (p.link) {
    case "lan":
      return parts("Direct on this network");
    case "direct":
      return parts("Direct over the internet");
    case "relay":
      return parts(p.relay ? `Through relay ${p.relay}` : "Through a relay");
    case "offline":
      // The phone heartbeats every 30 s: since when it is silent is the last time it was heard.
      return p.offline_since_ms
        ? `Offline since ${when(p.offline_since_ms, now)} — open Ringback on the phone`
        : "Not connected yet — open Ringback on the phone";
  }
}

/**
 * Paired phones, pairing and the network. The pairing code is shown only after "Pair a
 * phone" is pressed, and goes once used, expired or closed; a phone that presents it waits
 * for a person to accept it (the app's pairing dialog).
 */
export function DevicesScreen(props: { phones: PeerRow[]; waiting?: number }) {
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
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  // Read again when a phone pairs or asks to: a used code is no longer shown.
  useEffect(() => {
    show(api.devices());
  }, [props.phones.length, props.waiting ?? 0]);

  const code = d?.pairing ?? null;
  const left = code ? Math.max(0, code.expires_ms - now) : 0;
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
      {code === null ? (
        <>
          <p class="lede">
            Have the business phone at hand. Pressing the button shows a code to scan with Ringback on the phone; then this
            desktop shows the phone's name and fingerprint, and you accept it here.
          </p>
          <p>
            <button
              type="button"
              class="btn primary"
              data-testid="pair-phone"
              onClick={() => {
                setCopied(false);
                show(api.newTicket());
              }}
            >
              Pair a phone
            </button>
          </p>
        </>
      ) : (
        <>
          <p class="lede">
            On the business phone, open Ringback and scan this code, or type the short code. A code works once, for ten
            minutes; a new code replaces it. Then accept the phone here when it asks.
          </p>
          <div class="pair">
            <img data-testid="qr" data-payload={code.payload} class="qr" alt="Pairing QR code" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(code.qr_svg)}`} />
            <div>
              <p>
                <code class="code" data-testid="short-code">
                  {code.short_code}
                </code>
              </p>
              <p>
                <button
                  type="button"
                  class="btn"
                  onClick={() => {
                    const done = () => setCopied(true);
                    if (navigator.clipboard) navigator.clipboard.writeText(code.short_code).then(done, () => setCopied(false));
                  }}
                >
                  {copied ? "Copied" : "Copy code"}
                </button>{" "}
                <button
                  type="button"
                  class="btn"
                  data-testid="new-code"
                  onClick={() => {
                    setCopied(false);
                    show(api.newTicket());
                  }}
                >
                  New code
                </button>{" "}
                <button type="button" class="btn" data-testid="close-code" onClick={() => show(api.cancelTicket())}>
                  Close code
                </button>
              </p>
              <p class="muted" data-testid="code-expiry">
                {left > 0 ? `Expires in ${Math.ceil(left / 60000)} min` : "This code has expired: press New code."}
              </p>
            </div>
          </div>
        </>
      )}
      <h2>Paired phones</h2>
      {phones.length === 0 ? (
        <p class="empty">No phone is paired yet.</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Phone</th>
              <th scope="col">Fingerprint</th>
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
                <td>
                  <code>{p.fingerprint}</code>
                </td>
                <td
                  class={`link-${p.link}`}
                  title={p.link === "relay" ? "The relay passes on data it cannot read: still end-to-end encrypted" : undefined}
                >
                  {linkWords(p, now)}
                </td>
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
        <HealthChecklist key={`health-${p.endpoint}`} phone={p} />
      ))}
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
      <PhotosOnThisComputer phones={phones.length} />
      <DiagnosticsPanel />
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

type PhotoSettings = Data<"photoSettings">;

/** What a phone's photos take here, in words. */
export function heldWords(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "could not be measured (its photo folder could not be read)";
  if (bytes === 0) return "no photos on this computer yet";
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024 * 1024)).toFixed(1)} GB of photos on this computer`;
  return `${sizeWords(bytes)} of photos on this computer`;
}

/**
 * "Photos on this computer": how large a full-size photo is fetched as it arrives, how much
 * is kept per phone, and what each phone's photos take here now. Saved to this computer's
 * own settings and used at once (no restart); a lower limit removes the oldest photos now.
 */
function PhotosOnThisComputer(props: { phones: number }) {
  const [s, setS] = useState<PhotoSettings | null>(null);
  const [eager, setEager] = useState<number | null>(null);
  const [budget, setBudget] = useState<number | null>(null);
  const [errors, setErrors] = useState<AppErrorShape[]>([]);
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);

  const take = (x: PhotoSettings) => {
    setS(x);
    setEager(x.photos_eager_up_to_mb);
    setBudget(x.photos_budget_per_phone_mb);
  };
  // Read again when a phone pairs or unpairs: the usage lists each paired phone.
  useEffect(() => {
    api
      .photoSettings()
      .then(take)
      .catch((e) => setErrors([{ message: messageOf(e), field: null }]));
  }, [props.phones]);

  const save = () => {
    if (eager === null || budget === null) return;
    setBusy(true);
    setSaved("");
    api
      .setPhotoSettings(eager, budget)
      .then((x) => {
        take(x);
        setErrors([]);
        const removed = x.phones.filter((p) => p.removed > 0).map((p) => `${p.removed} older ${p.removed === 1 ? "photo" : "photos"} of ${p.name}`);
        setSaved(
          "Saved; in use now, no restart needed." +
            (removed.length ? ` Removed ${removed.join(", ")} from this computer to fit the new limit (they are fetched again from the phone when opened).` : ""),
        );
      })
      .catch((e) => setErrors([{ message: messageOf(e), field: e instanceof AppError ? e.field : null }]))
      .finally(() => setBusy(false));
  };

  const about = (field: string) => errors.filter((e) => e.field === field);
  const other = errors.filter((e) => e.field !== "photos_eager_up_to_mb" && e.field !== "photos_budget_per_phone_mb");
  return (
    <>
      <h2>Photos on this computer</h2>
      <fieldset class="network" data-testid="photo-settings">
        <legend>What this computer downloads and keeps of the phones' photos</legend>
        {other.length > 0 && (
          <div role="alert" class="error-inline">
            {other.map((e) => e.message).join(" ")}
          </div>
        )}
        {/* Drawn once read, so the boxes start with the values in force. */}
        {s && (
          <>
            <Field
              id="photos-eager"
              label="Download full photos up to (MB) as they arrive — 0 downloads only previews"
              hint={`Larger photos are downloaded when opened. 0 to ${s.max_eager_mb}.`}
              errors={about("photos_eager_up_to_mb")}
            >
              <NumberInput id="photos-eager" value={eager} min={0} step="1" onChange={setEager} />
            </Field>
            <Field
              id="photos-budget"
              label="Keep up to (MB) of photos per phone on this computer"
              hint="Past this, the oldest photos are removed from this computer (the phone keeps them; they are downloaded again when opened). 1024 MB is 1 GB."
              errors={about("photos_budget_per_phone_mb")}
            >
              <NumberInput id="photos-budget" value={budget} min={1} step="1" onChange={setBudget} />
            </Field>
            {s.phones.length > 0 && (
              <ul class="photo-usage" data-testid="photo-usage">
                {s.phones.map((p) => (
                  <li key={p.endpoint}>
                    {p.name}: {heldWords(p.held_bytes)}
                  </li>
                ))}
              </ul>
            )}
            {s.phones.length === 0 && <p class="muted">No phone is paired yet, so no photos are kept here.</p>}
          </>
        )}
        <button type="button" class="btn" data-testid="save-photos" disabled={busy || s === null} onClick={save}>
          Save photo settings
        </button>
        <span role="status" class="muted" data-testid="photos-saved">
          {saved || "Changes are used at once; no restart needed."}
        </span>
      </fieldset>
    </>
  );
}
