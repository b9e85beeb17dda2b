import { useState } from "preact/hooks";
import { api, messageOf, type Diagnostics } from "../api";

/**
 * Puts `text` on the clipboard. WebKit lets a page write the clipboard only within the
 * click, so the text may be given as a promise: a `ClipboardItem` takes one and waits for
 * it within the click. Rejects when there is no clipboard or it refuses.
 */
export async function copyText(text: Promise<string>): Promise<void> {
  const clipboard = typeof navigator === "undefined" ? undefined : navigator.clipboard;
  if (!clipboard) throw new Error("this window has no clipboard");
  if (typeof ClipboardItem !== "undefined" && typeof clipboard.write === "function") {
    const blob = text.then((t) => new Blob([t], { type: "text/plain" }));
    try {
      await clipboard.write([new ClipboardItem({ "text/plain": blob })]);
      return;
    } catch {
      // Some engines take no promised item: the plain way may still work.
    }
  }
  await clipboard.writeText(await text);
}

type Copied = { d: Diagnostics; copied: boolean };

/**
 * "Copy diagnostics": what helps support (the app's version, the system, the network,
 * each phone's name, fingerprint and link, the end of the log), gathered by the app with
 * no message, key or whole number in it. What was copied is shown; when the clipboard
 * fails, the text is shown to copy by hand and "Save to file" writes it.
 */
export function DiagnosticsPanel() {
  const [result, setResult] = useState<Copied | null>(null);
  const [error, setError] = useState("");
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);

  const copy = () => {
    setError("");
    setSaved("");
    setBusy(true);
    const gathered = api.diagnostics();
    // Asked within the click: WebKit allows the clipboard only there.
    const copied = copyText(gathered.then((d) => d.text)).then(
      () => true,
      () => false,
    );
    Promise.all([gathered, copied])
      .then(([d, ok]) => setResult({ d, copied: ok }))
      .catch((e) => {
        setResult(null);
        setError(messageOf(e));
      })
      .finally(() => setBusy(false));
  };

  const save = () => {
    setError("");
    api
      .saveDiagnostics()
      .then((f) => setSaved(`Saved to ${f.path}`))
      .catch((e) => setError(messageOf(e)));
  };

  const what = (d: Diagnostics) =>
    `the app's version, the system, the network, ${d.phones === 1 ? "1 phone" : `${d.phones} phones`} and the log's last ${
      d.log_lines === 1 ? "line" : `${d.log_lines} lines`
    }`;

  return (
    <section class="diagnostics" aria-labelledby="diagnostics-title">
      <h2 id="diagnostics-title">Diagnostics</h2>
      <p class="lede">
        For support: the app's version, the system, the network, each phone's name, fingerprint and connection, and the end of
        the log. No message, API key or whole phone number is in it.
      </p>
      <p>
        <button type="button" class="btn" data-testid="copy-diagnostics" disabled={busy} onClick={copy}>
          Copy diagnostics
        </button>{" "}
        <button type="button" class="btn" data-testid="save-diagnostics" onClick={save}>
          Save to file
        </button>
      </p>
      <p role="status" class="muted" data-testid="diagnostics-status">
        {saved ||
          (result
            ? result.copied
              ? `Copied to the clipboard: ${what(result.d)}.`
              : `The clipboard is not available: copy the text below by hand, or save it to a file.`
            : "")}
      </p>
      {error && (
        <p role="alert" class="error-inline">
          {error}
        </p>
      )}
      {result && (
        <details open={!result.copied} data-testid="diagnostics-details">
          <summary>{result.copied ? "What was copied" : "The diagnostics"}</summary>
          <label class="sr-only" for="diagnostics-text">
            Diagnostics
          </label>
          <textarea id="diagnostics-text" data-testid="diagnostics-text" class="mono" rows={12} readOnly value={result.d.text} />
        </details>
      )}
    </section>
  );
}
