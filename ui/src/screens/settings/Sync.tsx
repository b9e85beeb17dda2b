import type { Network } from "../../bindings";
import { Field, NumberInput, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

/** How the phone reaches desktops, and how long a reply may take to reach it. */
export function SyncSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <Field id="s-net" label="How the phone reaches desktops" errors={spots.at("sync.network")}>
        <select id="s-net" value={draft.sync.network} onChange={(e) => set("sync.network", (e.currentTarget as HTMLSelectElement).value as Network)}>
          <option value="default">Anywhere (recommended)</option>
          <option value="self_hosted_relay">Through our own relay</option>
          <option value="lan_only">This office network only</option>
        </select>
      </Field>
      {draft.sync.network === "self_hosted_relay" && (
        <Field id="s-relay" label="Relay address" errors={spots.at("sync.relay_url")}>
          <input id="s-relay" value={draft.sync.relay_url} placeholder="https://relay.example.com" onInput={(e) => set("sync.relay_url", (e.currentTarget as HTMLInputElement).value)} />
        </Field>
      )}
      <Field id="s-exp" label="Do not send a reply that reaches the phone later than (hours)" errors={spots.at("sync.reply_expiry_hours")}>
        <NumberInput id="s-exp" min={1} value={draft.sync.reply_expiry_hours} onChange={(v) => set("sync.reply_expiry_hours", v)} />
      </Field>
    </>
  );
  return (
    <Section legend="Sync (used by the phone)" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
