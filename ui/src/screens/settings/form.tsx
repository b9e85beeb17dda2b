// The pieces every settings section is drawn with: a labelled field with its hint and
// errors, number and one-per-line inputs, a day's opening hours, a template with its
// preview. Errors are handed in already placed (see `errors.ts`): a piece shows what it is
// given.
import { useEffect, useState } from "preact/hooks";
import { cloneElement, isValidElement, type ComponentChildren, type VNode } from "preact";
import { api, messageOf, type AppErrorShape, type Settings } from "../../api";
import { segmentWords } from "../Conversation";
import { isWithin } from "./errors";

/** What every section gets: the document being edited, its errors, and how to change it. */
export type SectionProps = {
  draft: Settings;
  errors: AppErrorShape[];
  /** Sets the value at a dotted path (`text_back.delay_seconds`, `follow_ups[0].body`). */
  set: (path: string, value: unknown) => void;
};

export const DAYS: [keyof Settings["business_hours"], string][] = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
];

/** A copy of `s` with the value at a dotted path (with [i] indexes) replaced. */
export function setPath<T>(s: T, path: string, value: unknown): T {
  const copy = structuredClone(s) as unknown as Record<string, unknown>;
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let here: Record<string, unknown> | unknown[] = copy;
  parts.slice(0, -1).forEach((p) => {
    here = (here as Record<string, unknown>)[p] as Record<string, unknown>;
  });
  (here as Record<string, unknown>)[parts[parts.length - 1]] = value;
  return copy as unknown as T;
}

/** Errors, one sentence each, named by the field they are about. */
export function FieldError(props: { errors: AppErrorShape[]; id?: string; named?: boolean }) {
  if (props.errors.length === 0) return null;
  return (
    <div id={props.id}>
      {props.errors.map((e, i) => (
        <p key={i} class="field-error" data-testid="field-error" data-field={e.field ?? ""}>
          {props.named && e.field ? <code>{e.field}</code> : null}
          {props.named && e.field ? ": " : null}
          {e.message}
        </p>
      ))}
    </div>
  );
}

/** A labelled control with its hint and its errors (the control learns both, and whether it is wrong). */
export function Field(props: { label: string; errors: AppErrorShape[]; hint?: string; children: ComponentChildren; id: string }) {
  const bad = props.errors.length > 0;
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errId = bad ? `${props.id}-err` : undefined;
  const control = isValidElement(props.children)
    ? cloneElement(props.children as VNode<Record<string, unknown>>, {
        "aria-invalid": bad ? "true" : undefined,
        "aria-describedby": [hintId, errId].filter(Boolean).join(" ") || undefined,
      })
    : props.children;
  return (
    <div class={bad ? "field invalid" : "field"}>
      <label for={props.id}>{props.label}</label>
      {control}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <FieldError errors={props.errors} id={errId} />
    </div>
  );
}

/**
 * A settings group: its legend, then the errors about it that no field of it shows (a
 * field hidden for now, an entry no longer in a list), then its fields.
 */
export function Section(props: { legend: string; rest: AppErrorShape[]; children: ComponentChildren; class?: string; testid?: string }) {
  return (
    <fieldset class={props.class} data-testid={props.testid}>
      <legend>{props.legend}</legend>
      {props.rest.length > 0 && (
        <div role="alert" class="section-errors">
          <FieldError errors={props.rest} named />
        </div>
      )}
      {props.children}
    </fieldset>
  );
}

type Described = { "aria-invalid"?: "true"; "aria-describedby"?: string };

/**
 * A number field that lets the person clear it while typing: the settings change only when
 * the box holds a number (an empty box keeps the last number until something is typed).
 */
export function NumberInput(props: Described & { id: string; value: number | null; min?: number; step?: string; onChange: (v: number) => void }) {
  const [text, setText] = useState(props.value === null ? "" : String(props.value));
  useEffect(() => {
    if (Number(text) !== props.value || text.trim() === "") setText(props.value === null ? "" : String(props.value));
  }, [props.value]);
  return (
    <input
      id={props.id}
      aria-invalid={props["aria-invalid"]}
      aria-describedby={props["aria-describedby"]}
      type="number"
      inputMode="decimal"
      min={props.min}
      step={props.step}
      value={text}
      onInput={(e) => {
        const raw = (e.currentTarget as HTMLInputElement).value;
        setText(raw);
        const v = Number(raw);
        if (raw.trim() !== "" && Number.isFinite(v)) props.onChange(v);
      }}
      onBlur={() => {
        if (text.trim() === "" || !Number.isFinite(Number(text))) setText(props.value === null ? "" : String(props.value));
      }}
    />
  );
}

/** One entry per line; blank lines are dropped from the value but not from what is typed. */
export function LinesInput(props: Described & { id: string; rows: number; class?: string; value: string[]; onChange: (v: string[]) => void }) {
  const [text, setText] = useState(props.value.join("\n"));
  const parse = (t: string) => t.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  useEffect(() => {
    if (JSON.stringify(parse(text)) !== JSON.stringify(props.value)) setText(props.value.join("\n"));
  }, [props.value]);
  return (
    <textarea
      id={props.id}
      aria-invalid={props["aria-invalid"]}
      aria-describedby={props["aria-describedby"]}
      rows={props.rows}
      class={props.class}
      value={text}
      onInput={(e) => {
        const t = (e.currentTarget as HTMLTextAreaElement).value;
        setText(t);
        props.onChange(parse(t));
      }}
    />
  );
}

/** A template box with a preview of what a caller named Dana would get, and its SMS parts. */
export function TemplateField(props: {
  name: string;
  label: string;
  hint: string;
  value: string;
  settings: Settings;
  errors: AppErrorShape[];
  onChange: (v: string) => void;
}) {
  const [preview, setPreview] = useState<{ text: string; seg: string } | null>(null);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    const t = setTimeout(() => {
      api
        .previewTemplate(props.value, props.settings)
        .then((p) => {
          setPreview({ text: p.text, seg: segmentWords(p.segments) });
          setProblem("");
        })
        .catch((e) => {
          setPreview(null);
          setProblem(messageOf(e));
        });
    }, 150);
    return () => clearTimeout(t);
  }, [props.value, props.settings.business_name]);
  const id = `tpl-${props.name}`;
  return (
    <Field id={id} label={props.label} errors={props.errors} hint={props.hint}>
      <textarea id={id} data-testid={id} rows={3} value={props.value} onInput={(e) => props.onChange((e.currentTarget as HTMLTextAreaElement).value)} />
      <div class="preview" aria-live="polite">
        {preview ? (
          <>
            <span class="muted">Preview (to Dana):</span> <span class="preview-text">{preview.text}</span>
            <span class="muted"> · {preview.seg}</span>
          </>
        ) : (
          // The field's own error says it better, when there is one.
          problem && props.errors.length === 0 && <span class="muted">{problem}</span>
        )}
      </div>
    </Field>
  );
}

/** "09:00-17:00" ⇄ two times. */
function splitRange(r: string): [string, string] {
  const [a, b] = r.split("-");
  return [a ?? "", b ?? ""];
}

/** A day's opening hours: ranges to edit, add and remove, with the errors about that day. */
export function HoursRow(props: {
  day: string;
  label: string;
  ranges: string[];
  /** The errors about this day (a range of it is marked when one names it). */
  errors: AppErrorShape[];
  onChange: (r: string[]) => void;
  /** The settings path of the week ("business_hours", "assistant.availability"). */
  base?: string;
  /** What an empty day reads as. */
  emptyWords?: string;
  /** Before the day in the controls' names ("Bookable "). */
  ariaPrefix?: string;
}) {
  const { ranges } = props;
  const base = props.base ?? "business_hours";
  return (
    <div class="hours-row" role="group" aria-label={`${props.ariaPrefix ?? ""}${props.label}`}>
      <span class="day">{props.label}</span>
      <div class="ranges">
        {ranges.length === 0 && <span class="muted">{props.emptyWords ?? "Closed"}</span>}
        {ranges.map((r, i) => {
          const [from, to] = splitRange(r);
          const set = (f: string, t: string) => props.onChange(ranges.map((x, j) => (j === i ? `${f}-${t}` : x)));
          const bad = props.errors.some((e) => e.field !== null && isWithin(e.field, `${base}.${props.day}[${i}]`)) ? "true" : undefined;
          return (
            <span class={bad ? "range invalid" : "range"} key={i}>
              <input type="time" aria-invalid={bad} aria-label={`${props.ariaPrefix ?? ""}${props.label} opens`} value={from} onInput={(e) => set((e.currentTarget as HTMLInputElement).value, to)} />
              –
              <input type="time" aria-invalid={bad} aria-label={`${props.ariaPrefix ?? ""}${props.label} closes`} value={to} onInput={(e) => set(from, (e.currentTarget as HTMLInputElement).value)} />
              <button type="button" class="btn small" aria-label={`Remove ${props.ariaPrefix ?? ""}${props.label} ${r}`} onClick={() => props.onChange(ranges.filter((_, j) => j !== i))}>
                ×
              </button>
            </span>
          );
        })}
        <button
          type="button"
          class="btn small"
          onClick={() => {
            const last = ranges.length ? splitRange(ranges[ranges.length - 1])[1] : "";
            props.onChange([...ranges, last && last < "22:00" ? `${last}-${String(Math.min(23, Number(last.slice(0, 2)) + 2)).padStart(2, "0")}:00` : "09:00-17:00"]);
          }}
        >
          Add hours
        </button>
      </div>
      <FieldError errors={props.errors} />
    </div>
  );
}
