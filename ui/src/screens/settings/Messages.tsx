import type { Settings } from "../../api";
import { Section, TemplateField, type SectionProps } from "./form";
import { Spots } from "./errors";

const TEMPLATES: [keyof Settings["templates"], string, string][] = [
  ["business_hours", "Text-back in business hours", "Sent after a missed call while you are open."],
  ["after_hours", "Text-back after hours", "Sent after a missed call while you are closed."],
  ["opt_out_confirmation", "Opt-out confirmation", "Sent once when someone texts STOP."],
  ["opt_in_confirmation", "Opt-in confirmation", "Sent when someone texts START again."],
  ["help", "Help answer", "Sent when someone texts HELP."],
];

/** The texts the phone sends, each with a preview. */
export function MessagesSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <div class="placeholders" role="note">
        <strong>Placeholders</strong>: <code>{"{business_name}"}</code> your business name · <code>{"{first_name}"}</code> the caller's first name
        from the phone's contacts · <code>{"{first_name|there}"}</code> the first name, or “there” when it is unknown.
      </div>
      {TEMPLATES.map(([name, label, hint]) => (
        <TemplateField
          key={name}
          name={name}
          label={label}
          hint={hint}
          value={draft.templates[name]}
          settings={draft}
          errors={spots.at(`templates.${name}`)}
          onChange={(v) => set(`templates.${name}`, v)}
        />
      ))}
    </>
  );
  return (
    <Section legend="Messages" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
