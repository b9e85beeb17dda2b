import { FieldError, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

/** Answers the team sends often, offered in the composer. */
export function QuickRepliesSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <p class="hint">Offered in the composer of every conversation.</p>
      {draft.quick_replies.map((q, i) => (
        <div class="item row" key={i}>
          <label class="sr-only" for={`qr-${i}`}>
            Quick reply {i + 1}
          </label>
          <input id={`qr-${i}`} value={q} onInput={(e) => set(`quick_replies[${i}]`, (e.currentTarget as HTMLInputElement).value)} />
          <button type="button" class="btn small" aria-label={`Remove quick reply ${i + 1}`} onClick={() => set("quick_replies", draft.quick_replies.filter((_, j) => j !== i))}>
            Remove
          </button>
          <FieldError errors={spots.within(`quick_replies[${i}]`)} />
        </div>
      ))}
      <FieldError errors={spots.at("quick_replies")} />
      <button type="button" class="btn small" onClick={() => set("quick_replies", [...draft.quick_replies, "Thanks — we'll be in touch shortly."])}>
        Add quick reply
      </button>
    </>
  );
  return (
    <Section legend="Quick replies" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
