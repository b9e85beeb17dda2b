import type { AlertRow, ConvKey } from "../bindings";
import { when } from "../format";

/**
 * The "Needs attention" strip at the top of the inbox: each alert in force (a silent
 * phone, a revoked permission, a failed text-back, texts the volume limit holds, a
 * conversation the assistant handed to the team) with its fix, until it is resolved.
 */
export function NeedsAttention(props: { alerts: AlertRow[]; onOpen?: (key: ConvKey) => void }) {
  if (props.alerts.length === 0) return null;
  return (
    <section class="needs-attention" role="status" aria-label="Needs attention" data-testid="needs-attention">
      <h2>Needs attention</h2>
      <ul>
        {props.alerts.map((a) => (
          <li key={a.key} data-testid="alert" data-kind={a.kind}>
            <strong>{a.title}</strong>
            {a.kind === "phone_silent" && <span class="since"> (last heard {when(a.since_ms)})</span>}
            <p class="fix">{a.fix}</p>
            {a.conversation != null && props.onOpen && (
              <button type="button" onClick={() => props.onOpen?.({ phone: a.phone, id: a.conversation as number })}>
                Open conversation
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
