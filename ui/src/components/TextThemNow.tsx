import { useState } from "preact/hooks";
import { api, messageOf, type CallRow } from "../api";

/** Whether the phone could not answer this call: it ended while Ringback was not running. */
export function missedWhileNotRunning(c: CallRow): boolean {
  const d = c.decision;
  return typeof d === "object" && d !== null && "skipped" in d && d.skipped === "too_late";
}

/**
 * "Text them now" for a call that ended while Ringback was not running: the phone sends
 * the business's text-back as a reply (its limits apply). Nothing for any other call.
 */
export function TextThemNow(props: { c: CallRow }) {
  const [state, setState] = useState<"idle" | "busy" | "sent">("idle");
  const [error, setError] = useState<string | null>(null);
  const c = props.c;
  if (!missedWhileNotRunning(c) || c.conversation === null) return null;
  return (
    <span class="text-them-now">
      <button
        type="button"
        class="btn small"
        data-testid="text-them-now"
        disabled={state !== "idle"}
        onClick={(e) => {
          // The row around it opens the conversation; this button only sends.
          e.stopPropagation();
          setState("busy");
          setError(null);
          api
            .textBackNow(c.phone, c.id)
            .then(() => setState("sent"))
            .catch((err) => {
              setError(messageOf(err));
              setState("idle");
            });
        }}
      >
        {state === "sent" ? "Text on its way to the phone" : "Text them now"}
      </button>
      {error && (
        <span role="alert" class="error-inline">
          {error}
        </span>
      )}
    </span>
  );
}
