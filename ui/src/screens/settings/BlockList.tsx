import { Field, FieldError, LinesInput, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

/** Numbers the phone never texts. */
export function BlockListSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <Field id="s-block" label="Block list (one number per line)" errors={spots.at("block_list")}>
        <LinesInput id="s-block" rows={4} class="mono" value={draft.block_list} onChange={(v) => set("block_list", v)} />
      </Field>
      <FieldError errors={spots.inside("block_list")} />
    </>
  );
  return (
    <Section legend="Never text these numbers" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
