import type { Audience, CallOutcome } from "../../bindings";
import { Field, FieldError, NumberInput, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

const OUTCOMES: [CallOutcome, string][] = [
  ["missed", "Missed"],
  ["rejected", "Declined"],
  ["voicemail", "Went to voicemail"],
];

/** Which calls get a text-back, and when. */
export function TextBackSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const tb = draft.text_back;
  const fields = (
    <>
      <div class="field">
        <label class="check">
          <input type="checkbox" checked={tb.enabled} onChange={(e) => set("text_back.enabled", (e.currentTarget as HTMLInputElement).checked)} />
          Text back missed callers
        </label>
        <FieldError errors={spots.at("text_back.enabled")} />
      </div>
      <Field id="s-delay" label="Wait before texting (seconds)" errors={spots.at("text_back.delay_seconds")} hint="A call back from you in this time cancels the text.">
        <NumberInput id="s-delay" min={0} value={tb.delay_seconds} onChange={(v) => set("text_back.delay_seconds", v)} />
      </Field>
      <div class="field">
        <span class="label" id="s-trig">
          Calls that get a text
        </span>
        <div role="group" aria-labelledby="s-trig">
          {OUTCOMES.map(([o, words]) => (
            <label class="check" key={o}>
              <input
                type="checkbox"
                checked={tb.triggers.includes(o)}
                onChange={(e) =>
                  set("text_back.triggers", (e.currentTarget as HTMLInputElement).checked ? [...tb.triggers, o] : tb.triggers.filter((t) => t !== o))
                }
              />
              {words}
            </label>
          ))}
        </div>
        <FieldError errors={spots.within("text_back.triggers")} />
      </div>
      <Field id="s-aud" label="Who gets a text" errors={spots.at("text_back.audience")}>
        <select id="s-aud" value={tb.audience} onChange={(e) => set("text_back.audience", (e.currentTarget as HTMLSelectElement).value as Audience)}>
          <option value="everyone">Everyone</option>
          <option value="unknown_only">Only callers not in the phone's contacts</option>
          <option value="contacts_only">Only callers in the phone's contacts</option>
        </select>
      </Field>
      <Field id="s-cool" label="At most one text-back per caller every (hours)" errors={spots.at("text_back.cooldown_hours")}>
        <NumberInput id="s-cool" min={0} value={tb.cooldown_hours} onChange={(v) => set("text_back.cooldown_hours", v)} />
      </Field>
      <Field id="s-quiet" label="No text-back while already texting with the caller (minutes)" errors={spots.at("text_back.quiet_if_texting_minutes")}>
        <NumberInput id="s-quiet" min={0} value={tb.quiet_if_texting_minutes} onChange={(v) => set("text_back.quiet_if_texting_minutes", v)} />
      </Field>
      <Field id="s-late" label="Text calls found late (app was closed) up to (minutes)" errors={spots.at("text_back.late_window_minutes")}>
        <NumberInput id="s-late" min={0} value={tb.late_window_minutes} onChange={(v) => set("text_back.late_window_minutes", v)} />
      </Field>
    </>
  );
  return (
    <Section legend="Text-back" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
