import { Field, FieldError, NumberInput, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

/** Texts to a texted-back caller who has not answered. */
export function FollowUpsSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <p class="hint">Sent when a texted-back caller has not answered after the given hours (in business hours).</p>
      {draft.follow_ups.map((f, i) => (
        <div class="item" key={i}>
          <Field id={`fu-h-${i}`} label="After (hours)" errors={spots.at(`follow_ups[${i}].after_hours`)}>
            <NumberInput id={`fu-h-${i}`} min={0} step="0.5" value={f.after_hours ?? 0} onChange={(v) => set(`follow_ups[${i}].after_hours`, v)} />
          </Field>
          <Field id={`fu-b-${i}`} label="Text" errors={spots.at(`follow_ups[${i}].body`)}>
            <textarea id={`fu-b-${i}`} rows={2} value={f.body} onInput={(e) => set(`follow_ups[${i}].body`, (e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <FieldError errors={spots.at(`follow_ups[${i}]`)} />
          <button type="button" class="btn small" onClick={() => set("follow_ups", draft.follow_ups.filter((_, j) => j !== i))}>
            Remove follow-up
          </button>
        </div>
      ))}
      <FieldError errors={spots.at("follow_ups")} />
      <button
        type="button"
        class="btn small"
        onClick={() => set("follow_ups", [...draft.follow_ups, { after_hours: 24, body: "Hi {first_name|there}, just checking in from {business_name}, can we help?" }])}
      >
        Add follow-up
      </button>
    </>
  );
  return (
    <Section legend="Follow-ups" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
