import { Field, FieldError, LinesInput, NumberInput, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

const KNOWN_LIMITS = ["max_per_30_minutes", "replies_per_desktop_per_hour", "allowed_countries", "mms_max_kb"];

function limitLabel(key: string): string {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What the phone's outbound policy allows: volume, each desktop's budget, other countries. */
export function LimitsSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <p class="hint">
        The phone checks every text against these, whoever asked for it: a text-back, a follow-up, the assistant or a reply typed here.
        Android stops and asks the owner past 30 SMS parts in 30 minutes.
      </p>
      <Field id="lim-max" label="Most SMS parts in any 30 minutes (1–30)" errors={spots.at("limits.max_per_30_minutes")}>
        <NumberInput id="lim-max" min={1} value={draft.limits.max_per_30_minutes} onChange={(n) => set("limits.max_per_30_minutes", n)} />
      </Field>
      <Field id="lim-replies" label="Most replies from one desktop in any hour (1–120)" errors={spots.at("limits.replies_per_desktop_per_hour")}>
        <NumberInput id="lim-replies" min={1} value={draft.limits.replies_per_desktop_per_hour} onChange={(n) => set("limits.replies_per_desktop_per_hour", n)} />
      </Field>
      <Field id="lim-mms" label="Largest MMS the carrier takes, in KB (50–2000; photos are made to fit)" errors={spots.at("limits.mms_max_kb")}>
        <NumberInput id="lim-mms" min={50} value={draft.limits.mms_max_kb} onChange={(n) => set("limits.mms_max_kb", n)} />
      </Field>
      <Field
        id="lim-countries"
        label="Also text numbers in these countries (two-letter codes, one per line, such as CA)"
        errors={spots.at("limits.allowed_countries")}
      >
        <LinesInput id="lim-countries" rows={2} class="mono" value={draft.limits.allowed_countries} onChange={(v) => set("limits.allowed_countries", v)} />
      </Field>
      <FieldError errors={spots.inside("limits.allowed_countries")} />
      {Object.entries(draft.limits)
        .filter(([k, v]) => !KNOWN_LIMITS.includes(k) && typeof v === "number")
        .map(([k, v]) => (
          // A limit a newer phone knows and this desktop does not: still shown and kept.
          <Field key={k} id={`lim-${k}`} label={limitLabel(k)} errors={spots.at(`limits.${k}`)}>
            <NumberInput id={`lim-${k}`} min={0} value={v as number} onChange={(n) => set(`limits.${k}`, n)} />
          </Field>
        ))}
    </>
  );
  return (
    <Section legend="Limits" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
