import { useEffect, useRef, useState } from "preact/hooks";
import { cloneElement, isValidElement, type ComponentChildren, type VNode } from "preact";
import { api, messageOf, type AppErrorShape, type AssistantKey, type DryRun, type Settings } from "../api";
import type { AssistantMode, Audience, CallOutcome, Network } from "../bindings";
import { clock, when } from "../format";
import { segmentWords } from "./Conversation";
import { PhonePicker, phoneName, type PhoneChoice } from "../components/PhonePicker";

const DAYS: [keyof Settings["business_hours"], string][] = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
];
const TEMPLATES: [keyof Settings["templates"], string, string][] = [
  ["business_hours", "Text-back in business hours", "Sent after a missed call while you are open."],
  ["after_hours", "Text-back after hours", "Sent after a missed call while you are closed."],
  ["opt_out_confirmation", "Opt-out confirmation", "Sent once when someone texts STOP."],
  ["opt_in_confirmation", "Opt-in confirmation", "Sent when someone texts START again."],
  ["help", "Help answer", "Sent when someone texts HELP."],
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

/** Errors that belong to `field` (the field itself or anything inside it). */
function errorsFor(errors: AppErrorShape[], field: string, exact = false, inside = false): AppErrorShape[] {
  return errors.filter(
    (e) => (!inside && e.field === field) || (!exact && (e.field?.startsWith(`${field}.`) || e.field?.startsWith(`${field}[`))),
  );
}

function FieldError(props: { errors: AppErrorShape[]; field: string; exact?: boolean; inside?: boolean; id?: string }) {
  const mine = errorsFor(props.errors, props.field, props.exact, props.inside);
  if (mine.length === 0) return null;
  return (
    <div id={props.id}>
      {mine.map((e, i) => (
        <p key={i} class="field-error" data-testid="field-error" data-field={e.field}>
          {e.message}
        </p>
      ))}
    </div>
  );
}

function Field(props: { label: string; field: string; errors: AppErrorShape[]; hint?: string; children: ComponentChildren; id: string }) {
  const bad = errorsFor(props.errors, props.field, true).length > 0;
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errId = bad ? `${props.id}-err` : undefined;
  // The control learns its hint and error (aria-describedby) and whether it is wrong.
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
      <FieldError errors={props.errors} field={props.field} exact id={errId} />
    </div>
  );
}

/** Fields that have their own place on the form (an error there shows beside it). */
const SPOTS: RegExp[] = [
  /^(business_name|region|timezone)$/,
  /^text_back\.(delay_seconds|audience|cooldown_hours|quiet_if_texting_minutes|late_window_minutes)$/,
  /^text_back\.triggers([[.].*)?$/,
  /^templates\.(business_hours|after_hours|opt_out_confirmation|opt_in_confirmation|help)$/,
  /^business_hours\.(mon|tue|wed|thu|fri|sat|sun)([[.].*)?$/,
  /^follow_ups(\[\d+\](\.after_hours|\.body)?)?$/,
  /^keyword_replies(\[\d+\](\.keyword|\.body)?)?$/,
  /^quick_replies(\[\d+\].*)?$/,
  /^block_list([[.].*)?$/,
  /^limits\.\w+$/,
  /^limits\.allowed_countries([[.].*)?$/,
  /^sync\.(network|reply_expiry_hours)$/,
  /^assistant\.(mode|auto_only_after_hours|base_url|model|api_key|timeout_seconds|max_texts_per_day|max_model_calls_per_day|max_appointments_per_day|slot_minutes|handoff_text)$/,
  /^assistant\.(services|service_area|price_notes)([[.].*)?$/,
  /^assistant\.availability\.(mon|tue|wed|thu|fri|sat|sun)([[.].*)?$/,
];

/** Whether an error is shown beside a field (otherwise it goes in the summary at the top). */
export function hasSpot(field: string | null, s: Settings): boolean {
  if (!field) return false;
  if (field === "sync.relay_url") return s.sync.network === "self_hosted_relay";
  const list = /^(follow_ups|keyword_replies|quick_replies)\[(\d+)\]/.exec(field);
  if (list && Number(list[2]) >= (s[list[1] as "follow_ups"] as unknown[]).length) return false;
  return SPOTS.some((r) => r.test(field));
}

const SECTIONS: Record<string, string> = {
  business_name: "Business",
  region: "Business",
  timezone: "Business",
  text_back: "Text-back",
  templates: "Messages",
  business_hours: "Business hours",
  follow_ups: "Follow-ups",
  keyword_replies: "Keyword answers",
  block_list: "Never text these numbers",
  limits: "Limits",
  sync: "Sync",
  quick_replies: "Quick replies",
  assistant: "Assistant",
};
function sectionOf(field: string): string {
  return SECTIONS[field.split(/[.[]/)[0]] ?? field;
}

/** The settings of one phone, named on the screen; a chooser when several are paired. */
export function SettingsScreen(props: PhoneChoice & { version?: number }) {
  if (props.phone === null) {
    return (
      <section class="page" aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        <PhonePicker {...props} what="Settings of" />
        <p class="notice" data-testid="settings-no-phone">
          {props.phones.length === 0
            ? "Pair the business phone under Devices first: settings are kept on the phone and synced here."
            : "Choose the phone whose settings to edit: each phone keeps its own."}
        </p>
      </section>
    );
  }
  // A new phone is a new form: nothing typed for one phone is saved to another.
  return <SettingsForm key={props.phone} {...props} phone={props.phone} />;
}

function SettingsForm(props: PhoneChoice & { phone: string; version?: number }) {
  const name = phoneName(props.phones, props.phone);
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [errors, setErrors] = useState<AppErrorShape[]>([]);
  const [status, setStatus] = useState("");
  const [loadError, setLoadError] = useState("");
  // The API key is write-only: typed here, sent to the phone once with Save, never read back.
  const [keyText, setKeyText] = useState("");
  const [keyState, setKeyState] = useState<AssistantKey | null>(null);

  useEffect(() => {
    api
      .settings(props.phone)
      .then((s) => {
        setSaved(s);
        setDraft(s);
      })
      .catch((e) => setLoadError(messageOf(e)));
  }, []);

  // What the phone says about its key (a mask and when), again whenever a phone's data
  // changes: its answer to a key sent from here comes that way.
  useEffect(() => {
    api
      .assistantKey(props.phone)
      .then(setKeyState)
      .catch(() => undefined);
  }, [props.version]);

  useEffect(() => {
    if (!draft) return;
    const t = setTimeout(() => {
      api
        .validateSettings(draft)
        .then(setErrors)
        .catch((e) => setErrors([{ message: messageOf(e), field: null }]));
    }, 150);
    return () => clearTimeout(t);
  }, [draft]);

  if (!draft) {
    return (
      <section class="page">
        <h1>Settings</h1>
        <PhonePicker {...props} what="Settings of" />
        {loadError ? <div role="alert" class="error-inline">{loadError}</div> : <p>Loading…</p>}
      </section>
    );
  }
  const set = (path: string, value: unknown) => {
    setDraft((d) => (d ? setPath(d, path, value) : d));
    setStatus("");
  };
  const changed = JSON.stringify(draft) !== JSON.stringify(saved) || keyText.trim() !== "";
  const general = errors.filter((e) => !hasSpot(e.field, draft));

  const save = () => {
    setStatus("Saving…");
    const newKey = keyText.trim();
    api
      .saveSettings(props.phone, draft, newKey ? { set: newKey } : null)
      .then((s) => {
        setSaved(s);
        setDraft(s);
        setKeyText("");
        setErrors([]);
        setStatus(
          newKey
            ? `Saved on ${name} — the phone will use this from the next call. The key goes to the phone once; this desktop does not keep it.`
            : `Saved on ${name} — the phone will use this from the next call.`,
        );
        api
          .assistantKey(props.phone)
          .then(setKeyState)
          .catch(() => undefined);
      })
      .catch((e) => {
        setStatus(messageOf(e));
        if (e && typeof e === "object" && "field" in e && e.field) setErrors([{ message: messageOf(e), field: String(e.field) }]);
      });
  };

  const tb = draft.text_back;
  return (
    <section class="page settings" aria-labelledby="settings-title">
      <div class="settings-head">
        <h1 id="settings-title">Settings</h1>
        <div class="save">
          <span data-testid="settings-status" role="status" class="muted">
            {status || (errors.length ? `${errors.length} ${errors.length === 1 ? "problem" : "problems"} to fix before saving` : changed ? "Unsaved changes" : "")}
          </span>
          <button type="button" class="btn primary" data-testid="settings-save" disabled={errors.length > 0} onClick={save}>
            Save
          </button>
        </div>
      </div>
      <PhonePicker {...props} what="Settings of" />
      {general.length > 0 && (
        <div role="alert" class="error-inline">
          {general.map((e, i) => (
            <p key={i} data-testid="field-error" data-field={e.field ?? ""}>
              {e.field ? `${sectionOf(e.field)}: ` : ""}
              {e.message}
            </p>
          ))}
        </div>
      )}

      <fieldset>
        <legend>Business</legend>
        <Field id="s-name" label="Business name" field="business_name" errors={errors} hint="Callers see it in the texts.">
          <input id="s-name" value={draft.business_name} onInput={(e) => set("business_name", (e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <Field id="s-region" label="Country (two letters)" field="region" errors={errors} hint="How local numbers are read, e.g. US or GB.">
          <input id="s-region" maxLength={2} value={draft.region} onInput={(e) => set("region", (e.currentTarget as HTMLInputElement).value.toUpperCase())} />
        </Field>
        <Field id="s-tz" label="Time zone" field="timezone" errors={errors} hint="For business hours, e.g. America/New_York.">
          <input id="s-tz" value={draft.timezone} onInput={(e) => set("timezone", (e.currentTarget as HTMLInputElement).value)} />
        </Field>
      </fieldset>

      <fieldset>
        <legend>Text-back</legend>
        <div class="field">
          <label class="check">
            <input type="checkbox" checked={tb.enabled} onChange={(e) => set("text_back.enabled", (e.currentTarget as HTMLInputElement).checked)} />
            Text back missed callers
          </label>
        </div>
        <Field id="s-delay" label="Wait before texting (seconds)" field="text_back.delay_seconds" errors={errors} hint="A call back from you in this time cancels the text.">
          <NumberInput id="s-delay" min={0} value={tb.delay_seconds} onChange={(v) => set("text_back.delay_seconds", v)} />
        </Field>
        <div class="field">
          <span class="label" id="s-trig">Calls that get a text</span>
          <div role="group" aria-labelledby="s-trig">
            {(["missed", "rejected", "voicemail"] as CallOutcome[]).map((o) => (
              <label class="check" key={o}>
                <input
                  type="checkbox"
                  checked={tb.triggers.includes(o)}
                  onChange={(e) =>
                    set(
                      "text_back.triggers",
                      (e.currentTarget as HTMLInputElement).checked ? [...tb.triggers, o] : tb.triggers.filter((t) => t !== o),
                    )
                  }
                />
                {({ missed: "Missed", rejected: "Declined", voicemail: "Went to voicemail" } as Record<string, string>)[o]}
              </label>
            ))}
          </div>
          <FieldError errors={errors} field="text_back.triggers" />
        </div>
        <Field id="s-aud" label="Who gets a text" field="text_back.audience" errors={errors}>
          <select id="s-aud" value={tb.audience} onChange={(e) => set("text_back.audience", (e.currentTarget as HTMLSelectElement).value as Audience)}>
            <option value="everyone">Everyone</option>
            <option value="unknown_only">Only callers not in the phone's contacts</option>
            <option value="contacts_only">Only callers in the phone's contacts</option>
          </select>
        </Field>
        <Field id="s-cool" label="At most one text-back per caller every (hours)" field="text_back.cooldown_hours" errors={errors}>
          <NumberInput id="s-cool" min={0} value={tb.cooldown_hours} onChange={(v) => set("text_back.cooldown_hours", v)} />
        </Field>
        <Field id="s-quiet" label="No text-back while already texting with the caller (minutes)" field="text_back.quiet_if_texting_minutes" errors={errors}>
          <NumberInput id="s-quiet" min={0} value={tb.quiet_if_texting_minutes} onChange={(v) => set("text_back.quiet_if_texting_minutes", v)} />
        </Field>
        <Field id="s-late" label="Text calls found late (app was closed) up to (minutes)" field="text_back.late_window_minutes" errors={errors}>
          <NumberInput id="s-late" min={0} value={tb.late_window_minutes} onChange={(v) => set("text_back.late_window_minutes", v)} />
        </Field>
      </fieldset>

      <fieldset>
        <legend>Messages</legend>
        <div class="placeholders" role="note">
          <strong>Placeholders</strong>: <code>{"{business_name}"}</code> your business name · <code>{"{first_name}"}</code> the caller's first
          name from the phone's contacts · <code>{"{first_name|there}"}</code> the first name, or “there” when it is unknown.
        </div>
        {TEMPLATES.map(([name, label, hint]) => (
          <TemplateField key={name} name={name} label={label} hint={hint} value={draft.templates[name]} settings={draft} errors={errors} onChange={(v) => set(`templates.${name}`, v)} />
        ))}
      </fieldset>

      <fieldset>
        <legend>Business hours</legend>
        <p class="hint">Missed calls in these hours get the business-hours text; others the after-hours text. Follow-ups wait for opening time.</p>
        {DAYS.map(([day, label]) => (
          <HoursRow key={day} day={day} label={label} ranges={draft.business_hours[day]} errors={errors} onChange={(r) => set(`business_hours.${day}`, r)} />
        ))}
      </fieldset>

      <fieldset>
        <legend>Follow-ups</legend>
        <p class="hint">Sent when a texted-back caller has not answered after the given hours (in business hours).</p>
        {draft.follow_ups.map((f, i) => (
          <div class="item" key={i}>
            <Field id={`fu-h-${i}`} label="After (hours)" field={`follow_ups[${i}].after_hours`} errors={errors}>
              <NumberInput id={`fu-h-${i}`} min={0} step="0.5" value={f.after_hours ?? 0} onChange={(v) => set(`follow_ups[${i}].after_hours`, v)} />
            </Field>
            <Field id={`fu-b-${i}`} label="Text" field={`follow_ups[${i}].body`} errors={errors}>
              <textarea id={`fu-b-${i}`} rows={2} value={f.body} onInput={(e) => set(`follow_ups[${i}].body`, (e.currentTarget as HTMLTextAreaElement).value)} />
            </Field>
            <FieldError errors={errors} field={`follow_ups[${i}]`} exact />
            <button type="button" class="btn small" onClick={() => set("follow_ups", draft.follow_ups.filter((_, j) => j !== i))}>
              Remove follow-up
            </button>
          </div>
        ))}
        <FieldError errors={errors} field="follow_ups" exact />
        <button type="button" class="btn small" onClick={() => set("follow_ups", [...draft.follow_ups, { after_hours: 24, body: "Hi {first_name|there}, just checking in from {business_name} — can we help?" }])}>
          Add follow-up
        </button>
      </fieldset>

      <fieldset>
        <legend>Keyword answers</legend>
        <p class="hint">When a caller texts exactly this word, the phone answers with the text.</p>
        {draft.keyword_replies.map((k, i) => (
          <div class="item" key={i}>
            <Field id={`kw-k-${i}`} label="Keyword" field={`keyword_replies[${i}].keyword`} errors={errors}>
              <input id={`kw-k-${i}`} value={k.keyword} onInput={(e) => set(`keyword_replies[${i}].keyword`, (e.currentTarget as HTMLInputElement).value)} />
            </Field>
            <Field id={`kw-b-${i}`} label="Answer" field={`keyword_replies[${i}].body`} errors={errors}>
              <textarea id={`kw-b-${i}`} rows={2} value={k.body} onInput={(e) => set(`keyword_replies[${i}].body`, (e.currentTarget as HTMLTextAreaElement).value)} />
            </Field>
            <FieldError errors={errors} field={`keyword_replies[${i}]`} exact />
            <button type="button" class="btn small" onClick={() => set("keyword_replies", draft.keyword_replies.filter((_, j) => j !== i))}>
              Remove keyword
            </button>
          </div>
        ))}
        <FieldError errors={errors} field="keyword_replies" exact />
        <button type="button" class="btn small" onClick={() => set("keyword_replies", [...draft.keyword_replies, { keyword: "HOURS", body: "{business_name} is open Mon–Fri 8–5." }])}>
          Add keyword
        </button>
      </fieldset>

      <fieldset>
        <legend>Quick replies</legend>
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
            <FieldError errors={errors} field={`quick_replies[${i}]`} />
          </div>
        ))}
        <FieldError errors={errors} field="quick_replies" exact />
        <button type="button" class="btn small" onClick={() => set("quick_replies", [...draft.quick_replies, "Thanks — we'll be in touch shortly."])}>
          Add quick reply
        </button>
      </fieldset>

      <fieldset>
        <legend>Never text these numbers</legend>
        <Field id="s-block" label="Block list (one number per line)" field="block_list" errors={errors}>
          <LinesInput id="s-block" rows={4} class="mono" value={draft.block_list} onChange={(v) => set("block_list", v)} />
        </Field>
        <FieldError errors={errors} field="block_list" inside />
      </fieldset>

      <fieldset>
        <legend>Limits</legend>
        <p class="hint">
          The phone checks every text against these, whoever asked for it: a text-back, a follow-up, the assistant or a reply typed
          here. Android stops and asks the owner past 30 SMS parts in 30 minutes.
        </p>
        <Field id="lim-max" label="Most SMS parts in any 30 minutes (1–30)" field="limits.max_per_30_minutes" errors={errors}>
          <NumberInput id="lim-max" min={1} value={draft.limits.max_per_30_minutes} onChange={(n) => set("limits.max_per_30_minutes", n)} />
        </Field>
        <Field
          id="lim-replies"
          label="Most replies from one desktop in any hour (1–120)"
          field="limits.replies_per_desktop_per_hour"
          errors={errors}
        >
          <NumberInput
            id="lim-replies"
            min={1}
            value={draft.limits.replies_per_desktop_per_hour}
            onChange={(n) => set("limits.replies_per_desktop_per_hour", n)}
          />
        </Field>
        <Field
          id="lim-countries"
          label="Also text numbers in these countries (two-letter codes, one per line, such as CA)"
          field="limits.allowed_countries"
          errors={errors}
        >
          <LinesInput id="lim-countries" rows={2} class="mono" value={draft.limits.allowed_countries} onChange={(v) => set("limits.allowed_countries", v)} />
        </Field>
        <FieldError errors={errors} field="limits.allowed_countries" inside />
        {Object.entries(draft.limits)
          .filter(([k, v]) => !KNOWN_LIMITS.includes(k) && typeof v === "number")
          .map(([k, v]) => (
            // A limit a newer phone knows and this desktop does not: still shown and kept.
            <Field key={k} id={`lim-${k}`} label={limitLabel(k)} field={`limits.${k}`} errors={errors}>
              <NumberInput id={`lim-${k}`} min={0} value={v as number} onChange={(n) => set(`limits.${k}`, n)} />
            </Field>
          ))}
      </fieldset>

      <fieldset>
        <legend>Sync (used by the phone)</legend>
        <Field id="s-net" label="How the phone reaches desktops" field="sync.network" errors={errors}>
          <select id="s-net" value={draft.sync.network} onChange={(e) => set("sync.network", (e.currentTarget as HTMLSelectElement).value as Network)}>
            <option value="default">Anywhere (recommended)</option>
            <option value="self_hosted_relay">Through our own relay</option>
            <option value="lan_only">This office network only</option>
          </select>
        </Field>
        {draft.sync.network === "self_hosted_relay" && (
          <Field id="s-relay" label="Relay address" field="sync.relay_url" errors={errors}>
            <input id="s-relay" value={draft.sync.relay_url} placeholder="https://relay.example.com" onInput={(e) => set("sync.relay_url", (e.currentTarget as HTMLInputElement).value)} />
          </Field>
        )}
        <Field id="s-exp" label="Do not send a reply that reaches the phone later than (hours)" field="sync.reply_expiry_hours" errors={errors}>
          <NumberInput id="s-exp" min={1} value={draft.sync.reply_expiry_hours} onChange={(v) => set("sync.reply_expiry_hours", v)} />
        </Field>
      </fieldset>

      <AssistantSection
        phone={props.phone}
        draft={draft}
        errors={errors}
        set={set}
        keyText={keyText}
        setKeyText={(t) => {
          setKeyText(t);
          setStatus("");
        }}
        keyState={keyState}
        setKeyState={setKeyState}
      />

      <DryRunBox settings={draft} phone={props.phone} />
    </section>
  );
}

/** The server (origin) of an address, as the phone compares them: "" when it is none. */
export function serverOf(address: string): string {
  try {
    const url = new URL(address.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : "";
  } catch {
    return "";
  }
}

/** What the phone says about its key, in words. */
export function keyWords(k: AssistantKey | null): string {
  if (!k) return "";
  const since = k.at_ms ? ` (since ${when(k.at_ms)})` : "";
  const held = k.set ? `A key is set on the phone: ${k.mask}, for ${k.server}${since}.` : "No key on the phone.";
  if (k.pending) return `${held} A key sent from here is on its way to the phone.`;
  if (k.status === "refused") return `${held} The phone did not take the last key: ${k.reason}.`;
  if (k.status === "removed" && k.reason.startsWith("removed: ")) return `No key on the phone: ${k.reason.slice("removed: ".length)}.`;
  return held;
}

function AssistantSection(props: {
  phone: string;
  draft: Settings;
  errors: AppErrorShape[];
  set: (path: string, value: unknown) => void;
  keyText: string;
  setKeyText: (t: string) => void;
  keyState: AssistantKey | null;
  setKeyState: (k: AssistantKey) => void;
}) {
  const { draft, errors, set, keyState } = props;
  const a = draft.assistant;
  const [keyProblem, setKeyProblem] = useState("");
  const week = Object.values(a.availability).every((r) => r.length === 0);
  // The phone drops its key when the assistant moves to another server, unless a new one
  // comes with the move.
  const moves = !!keyState?.set && !props.keyText.trim() && serverOf(a.base_url) !== keyState.server;
  const remove = () => {
    setKeyProblem("");
    api
      .setAssistantKey(props.phone, "remove")
      .then(props.setKeyState)
      .catch((e) => setKeyProblem(messageOf(e)));
  };
  return (
    <fieldset data-testid="assistant-settings">
      <legend>Assistant</legend>
      <p class="hint">
        An AI assistant on the phone answers callers' texts: it asks what the job is, where and how urgent, and offers free
        appointment slots. It only says what is written here: an answer with a price, a promise (free, discount, guarantee…),
        a link, an e-mail address or a phone number that is not in these settings is not sent. A person replying takes the
        conversation over.
      </p>
      <Field id="as-mode" label="Assistant" field="assistant.mode" errors={errors}>
        <select id="as-mode" data-testid="assistant-mode" value={a.mode} onChange={(e) => set("assistant.mode", (e.currentTarget as HTMLSelectElement).value as AssistantMode)}>
          <option value="off">Off</option>
          <option value="suggest">Suggest — it drafts a reply, a person sends it</option>
          <option value="auto">Auto — it answers by itself</option>
        </select>
      </Field>
      <div class="field">
        <label class="check">
          <input
            type="checkbox"
            data-testid="assistant-after-hours"
            checked={a.auto_only_after_hours}
            onChange={(e) => set("assistant.auto_only_after_hours", (e.currentTarget as HTMLInputElement).checked)}
          />
          Answer by itself only outside business hours (drafts while you are open)
        </label>
      </div>
      <Field id="as-url" label="Server address" field="assistant.base_url" errors={errors} hint="An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (llama-server, Ollama) or https://api.openai.com/v1.">
        <input id="as-url" data-testid="assistant-base-url" value={a.base_url} placeholder="http://127.0.0.1:8080/v1" onInput={(e) => set("assistant.base_url", (e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <Field id="as-model" label="Model" field="assistant.model" errors={errors}>
        <input id="as-model" data-testid="assistant-model" value={a.model} onInput={(e) => set("assistant.model", (e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <Field
        id="as-key"
        label="API key"
        field="assistant.api_key"
        errors={errors}
        hint="Empty for a local server. The key is kept on the phone only: Save sends it there once, and no desktop can read it back."
      >
        <input
          id="as-key"
          data-testid="assistant-api-key"
          type="password"
          autoComplete="off"
          value={props.keyText}
          placeholder={keyState?.set ? "Type a new key to replace the phone's" : "Type the key to send it to the phone"}
          onInput={(e) => props.setKeyText((e.currentTarget as HTMLInputElement).value)}
        />
      </Field>
      <div class="field">
        <p class="hint" data-testid="assistant-key-state" data-set={keyState?.set ? "true" : "false"}>
          {keyWords(keyState)}
        </p>
        {moves && (
          <p class="notice" data-testid="assistant-key-moves">
            This address is another server than the one the phone's key is for ({keyState?.server}): saving it removes the key from the
            phone. Type the key again to use one with the new server.
          </p>
        )}
        {keyState?.set && (
          <button type="button" class="btn small" data-testid="assistant-key-remove" onClick={remove}>
            Remove the key from the phone
          </button>
        )}
        {keyProblem && (
          <p role="alert" class="field-error">
            {keyProblem}
          </p>
        )}
      </div>
      <Field id="as-timeout" label="Wait for an answer at most (seconds)" field="assistant.timeout_seconds" errors={errors} hint="A slower answer leaves the conversation to the team.">
        <NumberInput id="as-timeout" min={1} value={a.timeout_seconds} onChange={(v) => set("assistant.timeout_seconds", v)} />
      </Field>
      <Field id="as-cap" label="Most assistant texts per conversation per day" field="assistant.max_texts_per_day" errors={errors}>
        <NumberInput id="as-cap" min={1} value={a.max_texts_per_day} onChange={(v) => set("assistant.max_texts_per_day", v)} />
      </Field>
      <Field
        id="as-calls"
        label="Most texts it answers per conversation per day"
        field="assistant.max_model_calls_per_day"
        errors={errors}
        hint="Each caller text it answers or drafts for is one question to the model, in every mode (1–100). Past it, the team answers until the next day."
      >
        <NumberInput id="as-calls" min={1} value={a.max_model_calls_per_day} onChange={(v) => set("assistant.max_model_calls_per_day", v)} />
      </Field>
      <Field
        id="as-bookings"
        label="Most appointments it books per conversation per day"
        field="assistant.max_appointments_per_day"
        errors={errors}
        hint="0 to 10; with 0 it never offers a slot. In suggest mode a slot is booked only when you send the draft that proposes it."
      >
        <NumberInput id="as-bookings" min={0} value={a.max_appointments_per_day} onChange={(v) => set("assistant.max_appointments_per_day", v)} />
      </Field>
      <Field id="as-services" label="Services offered (one per line)" field="assistant.services" errors={errors}>
        <LinesInput id="as-services" rows={3} value={a.services} onChange={(v) => set("assistant.services", v)} />
      </Field>
      <FieldError errors={errors} field="assistant.services" inside />
      <Field id="as-area" label="Area served: postcodes or towns (one per line)" field="assistant.service_area" errors={errors}>
        <LinesInput id="as-area" rows={3} value={a.service_area} onChange={(v) => set("assistant.service_area", v)} />
      </Field>
      <FieldError errors={errors} field="assistant.service_area" inside />
      <Field id="as-prices" label="Prices it may quote (one per line)" field="assistant.price_notes" errors={errors} hint="It never names an amount that is not written here, and promises nothing free or discounted unless it is written here.">
        <LinesInput id="as-prices" rows={3} value={a.price_notes} onChange={(v) => set("assistant.price_notes", v)} />
      </Field>
      <FieldError errors={errors} field="assistant.price_notes" inside />
      <div class="field">
        <span class="label">Bookable hours</span>
        <p class="hint">{week ? "None set: the business hours are bookable." : "Appointments are offered only in these hours."}</p>
      </div>
      {DAYS.map(([day, label]) => (
        <HoursRow
          key={day}
          day={day}
          label={label}
          base="assistant.availability"
          ariaPrefix="Bookable "
          emptyWords={week ? "Same as business hours" : "Not bookable"}
          ranges={a.availability[day]}
          errors={errors}
          onChange={(r) => set(`assistant.availability.${day}`, r)}
        />
      ))}
      <Field id="as-slot" label="Appointment length (minutes)" field="assistant.slot_minutes" errors={errors}>
        <NumberInput id="as-slot" min={15} value={a.slot_minutes} onChange={(v) => set("assistant.slot_minutes", v)} />
      </Field>
      <TemplateField
        name="handoff_text"
        field="assistant.handoff_text"
        label="When the caller asks for a person"
        hint="Sent once, then the conversation is the team's."
        value={a.handoff_text}
        settings={draft}
        errors={errors}
        onChange={(v) => set("assistant.handoff_text", v)}
      />
    </fieldset>
  );
}

const KNOWN_LIMITS = ["max_per_30_minutes", "replies_per_desktop_per_hour", "allowed_countries"];

function limitLabel(key: string): string {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function TemplateField(props: {
  name: string;
  /** The settings path (default `templates.<name>`). */
  field?: string;
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
  const field = props.field ?? `templates.${props.name}`;
  return (
    <Field id={id} label={props.label} field={field} errors={props.errors} hint={props.hint}>
      <textarea id={id} data-testid={id} rows={3} value={props.value} onInput={(e) => props.onChange((e.currentTarget as HTMLTextAreaElement).value)} />
      <div class="preview" aria-live="polite">
        {preview ? (
          <>
            <span class="muted">Preview (to Dana):</span> <span class="preview-text">{preview.text}</span>
            <span class="muted"> · {preview.seg}</span>
          </>
        ) : (
          problem && errorsFor(props.errors, field, true).length === 0 && <span class="muted">{problem}</span>
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

export function HoursRow(props: {
  day: string;
  label: string;
  ranges: string[];
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
          const bad = errorsFor(props.errors, `${base}.${props.day}[${i}]`).length > 0 ? "true" : undefined;
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
      <FieldError errors={props.errors} field={`${base}.${props.day}`} />
    </div>
  );
}

function DryRunBox(props: { settings: Settings; phone: string }) {
  const [day, setDay] = useState("");
  const [result, setResult] = useState<DryRun | null>(null);
  const [error, setError] = useState("");
  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current) return;
    loaded.current = true;
    api.sampleDay().then(setDay).catch(() => undefined);
  }, []);
  return (
    <fieldset class="dryrun">
      <legend>Dry run</legend>
      <p class="hint">
        Runs the phone's real engine over a day of calls and texts with the settings above (saved or not) and shows what it
        would text. Paste your own day as JSON lines, one event each.
      </p>
      <label class="sr-only" for="dry-day">
        The day to dry-run
      </label>
      <textarea id="dry-day" rows={8} class="mono" value={day} onInput={(e) => setDay((e.currentTarget as HTMLTextAreaElement).value)} />
      <p>
        <button
          type="button"
          class="btn"
          data-testid="dry-run"
          onClick={() => {
            setError("");
            api
              .dryRun(props.phone, props.settings, day)
              .then(setResult)
              .catch((e) => {
                setResult(null);
                setError(messageOf(e));
              });
          }}
        >
          Run
        </button>
      </p>
      {error && (
        <p role="alert" class="error-inline">
          {error}
        </p>
      )}
      {result?.assistant_note && (
        <p class="notice" data-testid="dry-run-note">
          {result.assistant_note}
        </p>
      )}
      {result && (
        <table class="table" data-testid="dry-run-result">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">What</th>
              <th scope="col">To</th>
              <th scope="col">Text or reason</th>
            </tr>
          </thead>
          <tbody>
            {result.lines.length === 0 && (
              <tr>
                <td colSpan={4}>Nothing would be texted.</td>
              </tr>
            )}
            {result.lines.map((l, i) => (
              <tr key={i} class={`dry-${l.kind}`}>
                <td>{clock(l.at_ms ?? 0)}</td>
                <td>{l.kind === "texted" ? "Text" : l.kind === "skipped" ? "No text" : l.kind === "held" ? "Held" : "Refused"}</td>
                <td>{l.to}</td>
                <td>{l.body ?? l.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </fieldset>
  );
}

/**
 * A number field that lets the person clear it while typing: the settings change only when
 * the box holds a number (an empty box keeps the last number until something is typed).
 */
type Described = { "aria-invalid"?: "true"; "aria-describedby"?: string };

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
