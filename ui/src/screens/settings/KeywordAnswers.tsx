import { Field, FieldError, Section, type SectionProps } from "./form";
import { Spots } from "./errors";

/** Answers to a caller who texts a word. */
export function KeywordAnswersSection({ draft, errors, set }: SectionProps) {
  const spots = new Spots(errors);
  const fields = (
    <>
      <p class="hint">When a caller texts exactly this word, the phone answers with the text.</p>
      {draft.keyword_replies.map((k, i) => (
        <div class="item" key={i}>
          <Field id={`kw-k-${i}`} label="Keyword" errors={spots.at(`keyword_replies[${i}].keyword`)}>
            <input id={`kw-k-${i}`} value={k.keyword} onInput={(e) => set(`keyword_replies[${i}].keyword`, (e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <Field id={`kw-b-${i}`} label="Answer" errors={spots.at(`keyword_replies[${i}].body`)}>
            <textarea id={`kw-b-${i}`} rows={2} value={k.body} onInput={(e) => set(`keyword_replies[${i}].body`, (e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <FieldError errors={spots.at(`keyword_replies[${i}]`)} />
          <button type="button" class="btn small" onClick={() => set("keyword_replies", draft.keyword_replies.filter((_, j) => j !== i))}>
            Remove keyword
          </button>
        </div>
      ))}
      <FieldError errors={spots.at("keyword_replies")} />
      <button type="button" class="btn small" onClick={() => set("keyword_replies", [...draft.keyword_replies, { keyword: "HOURS", body: "{business_name} is open Mon–Fri 8–5." }])}>
        Add keyword
      </button>
    </>
  );
  return (
    <Section legend="Keyword answers" rest={spots.rest()}>
      {fields}
    </Section>
  );
}
