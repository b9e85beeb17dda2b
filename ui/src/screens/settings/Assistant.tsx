import { useState } from "preact/hooks";
import { api, messageOf, type AssistantKey } from "../../api";
import type { AssistantMode } from "../../bindings";
import { when } from "../../format";
import { DAYS, Field, FieldError, HoursRow, LinesInput, NumberInput, Section, TemplateField, type SectionProps } from "./form";
import { Spots } from "./errors";

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

/**
 * The AI assistant on the phone: its mode, its server and model, the write-only API key
 * (typed here, sent to the phone once with Save, never read back: the phone says only its
 * mask), its caps, and the facts it may say.
 */
export function AssistantSection(
  props: SectionProps & {
    phone: string;
    keyText: string;
    setKeyText: (t: string) => void;
    keyState: AssistantKey | null;
    setKeyState: (k: AssistantKey) => void;
  },
) {
  const { draft, set, keyState } = props;
  const a = draft.assistant;
  const spots = new Spots(props.errors);
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
  const fields = (
    <>
      <p class="hint">
        An AI assistant on the phone answers callers' texts: it asks what the job is, where and how urgent, and offers free appointment
        slots. It only says what is written here: an answer with a price, a promise (free, discount, guarantee…), a link, an e-mail
        address or a phone number that is not in these settings is not sent. A person replying takes the conversation over.
      </p>
      <Field id="as-mode" label="Assistant" errors={spots.at("assistant.mode")}>
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
        <FieldError errors={spots.at("assistant.auto_only_after_hours")} />
      </div>
      <Field
        id="as-url"
        label="Server address"
        errors={spots.at("assistant.base_url")}
        hint="An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (llama-server, Ollama) or https://api.openai.com/v1."
      >
        <input
          id="as-url"
          data-testid="assistant-base-url"
          value={a.base_url}
          placeholder="http://127.0.0.1:8080/v1"
          onInput={(e) => set("assistant.base_url", (e.currentTarget as HTMLInputElement).value)}
        />
      </Field>
      <Field id="as-model" label="Model" errors={spots.at("assistant.model")}>
        <input id="as-model" data-testid="assistant-model" value={a.model} onInput={(e) => set("assistant.model", (e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <Field
        id="as-key"
        label="API key"
        errors={spots.at("assistant.api_key")}
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
            This address is another server than the one the phone's key is for ({keyState?.server}): saving it removes the key from the phone.
            Type the key again to use one with the new server.
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
      <Field id="as-timeout" label="Wait for an answer at most (seconds)" errors={spots.at("assistant.timeout_seconds")} hint="A slower answer leaves the conversation to the team.">
        <NumberInput id="as-timeout" min={1} value={a.timeout_seconds} onChange={(v) => set("assistant.timeout_seconds", v)} />
      </Field>
      <Field id="as-cap" label="Most assistant texts per conversation per day" errors={spots.at("assistant.max_texts_per_day")}>
        <NumberInput id="as-cap" min={1} value={a.max_texts_per_day} onChange={(v) => set("assistant.max_texts_per_day", v)} />
      </Field>
      <Field
        id="as-calls"
        label="Most texts it answers per conversation per day"
        errors={spots.at("assistant.max_model_calls_per_day")}
        hint="Each caller text it answers or drafts for is one question to the model, in every mode (1–100). Past it, the team answers until the next day."
      >
        <NumberInput id="as-calls" min={1} value={a.max_model_calls_per_day} onChange={(v) => set("assistant.max_model_calls_per_day", v)} />
      </Field>
      <Field
        id="as-bookings"
        label="Most appointments it books per conversation per day"
        errors={spots.at("assistant.max_appointments_per_day")}
        hint="0 to 10; with 0 it never offers a slot. In suggest mode a slot is booked only when you send the draft that proposes it."
      >
        <NumberInput id="as-bookings" min={0} value={a.max_appointments_per_day} onChange={(v) => set("assistant.max_appointments_per_day", v)} />
      </Field>
      <Field id="as-services" label="Services offered (one per line)" errors={spots.at("assistant.services")}>
        <LinesInput id="as-services" rows={3} value={a.services} onChange={(v) => set("assistant.services", v)} />
      </Field>
      <FieldError errors={spots.inside("assistant.services")} />
      <Field id="as-area" label="Area served: postcodes or towns (one per line)" errors={spots.at("assistant.service_area")}>
        <LinesInput id="as-area" rows={3} value={a.service_area} onChange={(v) => set("assistant.service_area", v)} />
      </Field>
      <FieldError errors={spots.inside("assistant.service_area")} />
      <Field
        id="as-prices"
        label="Prices it may quote (one per line)"
        errors={spots.at("assistant.price_notes")}
        hint="It never names an amount that is not written here, and promises nothing free or discounted unless it is written here."
      >
        <LinesInput id="as-prices" rows={3} value={a.price_notes} onChange={(v) => set("assistant.price_notes", v)} />
      </Field>
      <FieldError errors={spots.inside("assistant.price_notes")} />
      <div class="field">
        <span class="label">Bookable hours</span>
        <p class="hint">{week ? "None set: the business hours are bookable." : "Appointments are offered only in these hours."}</p>
        <FieldError errors={spots.at("assistant.availability")} />
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
          errors={spots.within(`assistant.availability.${day}`)}
          onChange={(r) => set(`assistant.availability.${day}`, r)}
        />
      ))}
      <Field id="as-slot" label="Appointment length (minutes)" errors={spots.at("assistant.slot_minutes")}>
        <NumberInput id="as-slot" min={15} value={a.slot_minutes} onChange={(v) => set("assistant.slot_minutes", v)} />
      </Field>
      <TemplateField
        name="handoff_text"
        label="When the caller asks for a person"
        hint="Sent once, then the conversation is the team's."
        value={a.handoff_text}
        settings={draft}
        errors={spots.at("assistant.handoff_text")}
        onChange={(v) => set("assistant.handoff_text", v)}
      />
    </>
  );
  return (
    <Section legend="Assistant" rest={spots.rest()} testid="assistant-settings">
      {fields}
    </Section>
  );
}
