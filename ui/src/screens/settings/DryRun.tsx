import { useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf, type DryRun, type Settings } from "../../api";
import { clock } from "../../format";

/** The phone's real engine over a day of calls and texts, with the settings as they are on screen. */
export function DryRunSection(props: { settings: Settings; phone: string }) {
  const [day, setDay] = useState("");
  const [result, setResult] = useState<DryRun | null>(null);
  const [error, setError] = useState("");
  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current) return;
    loaded.current = true;
    api
      .sampleDay()
      .then(setDay)
      .catch(() => undefined);
  }, []);
  return (
    <fieldset class="dryrun">
      <legend>Dry run</legend>
      <p class="hint">
        Runs the phone's real engine over a day of calls and texts with the settings above (saved or not) and shows what it would text.
        Paste your own day as JSON lines, one event each.
      </p>
      <label class="sr-only" for="dry-day">
        The day to dry-run
      </label>
      <textarea id="dry-day" rows={8} class="mono" value={day} onInput={(e) => setDay((e.currentTarget as HTMLTextAreaElement).value)} />
      <p>
        <button
          type="button"
          class="btn"
          data-testid="dry-run"
          onClick={() => {
            setError("");
            api
              .dryRun(props.phone, props.settings, day)
              .then(setResult)
              .catch((e) => {
                setResult(null);
                setError(messageOf(e));
              });
          }}
        >
          Run
        </button>
      </p>
      {error && (
        <p role="alert" class="error-inline">
          {error}
        </p>
      )}
      {result?.assistant_note && (
        <p class="notice" data-testid="dry-run-note">
          {result.assistant_note}
        </p>
      )}
      {result && (
        <table class="table" data-testid="dry-run-result">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">What</th>
              <th scope="col">To</th>
              <th scope="col">Text or reason</th>
            </tr>
          </thead>
          <tbody>
            {result.lines.length === 0 && (
              <tr>
                <td colSpan={4}>Nothing would be texted.</td>
              </tr>
            )}
            {result.lines.map((l, i) => (
              <tr key={i} class={`dry-${l.kind}`}>
                <td>{clock(l.at_ms ?? 0)}</td>
                <td>{l.kind === "texted" ? "Text" : l.kind === "skipped" ? "No text" : l.kind === "held" ? "Held" : "Refused"}</td>
                <td>{l.to}</td>
                <td>{l.body ?? l.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </fieldset>
  );
}
