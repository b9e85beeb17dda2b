import { Field, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

/** Who the business is: its name, country and time zone. */
export function BusinessSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <Field id="s-name" label="Business name" errors={spots.at("business_name")} hint="Callers see it in the texts.">
        <input id="s-name" value={draft.business_name} onInput={(e) => set("business_name", (e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <Field id="s-region" label="Country (two letters)" errors={spots.at("region")} hint="How local numbers are read, e.g. US or GB.">
        <input id="s-region" maxLength={2} value={draft.region} onInput={(e) => set("region", (e.currentTarget as HTMLInputElement).value.toUpperCase())} />
      </Field>
      <Field id="s-tz" label="Time zone" errors={spots.at("timezone")} hint="For business hours, e.g. America/New_York.">
        <input id="s-tz" value={draft.timezone} onInput={(e) => set("timezone", (e.currentTarget as HTMLInputElement).value)} />
      </Field>
    </>
  );
  return (
    <Section legend="Business" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
