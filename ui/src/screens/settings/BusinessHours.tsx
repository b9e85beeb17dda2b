import { DAYS, HoursRow, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

/** When the business is open: the business-hours text inside, the after-hours one outside. */
export function BusinessHoursSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <p class="hint">Missed calls in these hours get the business-hours text; others the after-hours text. Follow-ups wait for opening time.</p>
      {DAYS.map(([day, label]) => (
        <HoursRow
          key={day}
          day={day}
          label={label}
          ranges={draft.business_hours[day]}
          errors={spots.within(`business_hours.${day}`)}
          onChange={(r) => set(`business_hours.${day}`, r)}
        />
      ))}
    </>
  );
  return (
    <Section legend="Business hours" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
