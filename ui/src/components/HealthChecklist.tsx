import type { PeerRow } from "../api";
import { when } from "../format";

const MARK = { ok: "✓", problem: "✗", advice: "!", unknown: "?" } as const;

/** A phone's health on Devices: each check, and the fix for each that failed. */
export function HealthChecklist(props: { phone: PeerRow }) {
  const health = props.phone.health;
  if (!health) {
    return (
      <p class="empty" data-testid="health-none">
        {props.phone.name} has not reported its health yet.
      </p>
    );
  }
  return (
    <section class="health" data-testid="health" aria-label={`${props.phone.name}: health`}>
      <h3>
        {props.phone.name}: health <small>(reported {when(health.reported_at_ms)}, Ringback {health.app_version})</small>
      </h3>
      <ul class="checklist">
        {health.checklist.map((item) => (
          <li key={item.label} class={`check-${item.state}`} data-testid="check" data-state={item.state}>
            <span aria-hidden="true">{MARK[item.state]}</span> {item.label}
            {item.detail && item.state !== "ok" && <span class="detail">: {item.detail}</span>}
            {item.fix && <p class="fix">{item.fix}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
