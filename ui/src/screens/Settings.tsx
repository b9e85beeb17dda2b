import { useEffect, useState } from "preact/hooks";
import type { ComponentType } from "preact";
import { api, messageOf, type AppErrorShape, type AssistantKey, type Settings } from "../api";
import { PhonePicker, phoneName, type PhoneChoice } from "../components/PhonePicker";
import { FieldError, setPath, type SectionProps } from "./settings/form";
import { bySection } from "./settings/errors";
import { BusinessSection } from "./settings/Business";
import { TextBackSection } from "./settings/TextBack";
import { MessagesSection } from "./settings/Messages";
import { BusinessHoursSection } from "./settings/BusinessHours";
import { FollowUpsSection } from "./settings/FollowUps";
import { KeywordAnswersSection } from "./settings/KeywordAnswers";
import { QuickRepliesSection } from "./settings/QuickReplies";
import { BlockListSection } from "./settings/BlockList";
import { LimitsSection } from "./settings/Limits";
import { SyncSection } from "./settings/Sync";
import { AssistantSection } from "./settings/Assistant";
import { DryRunSection } from "./settings/DryRun";

export { HoursRow, LinesInput, NumberInput, setPath } from "./settings/form";
export { keyWords, serverOf } from "./settings/Assistant";

/**
 * The settings groups in the order they are shown, each with the top-level keys of the
 * settings document it edits: an error about a key shows in its group, and an error about
 * no group's key (or about no field) in the summary at the top.
 */
const GROUPS = {
  business: ["business_name", "region", "timezone"],
  textBack: ["text_back"],
  messages: ["templates"],
  hours: ["business_hours"],
  followUps: ["follow_ups"],
  keywords: ["keyword_replies"],
  quickReplies: ["quick_replies"],
  blockList: ["block_list"],
  limits: ["limits"],
  sync: ["sync"],
  assistant: ["assistant"],
} as const;
type Group = keyof typeof GROUPS;

const PLAIN: [Group, ComponentType<SectionProps>][] = [
  ["business", BusinessSection],
  ["textBack", TextBackSection],
  ["messages", MessagesSection],
  ["hours", BusinessHoursSection],
  ["followUps", FollowUpsSection],
  ["keywords", KeywordAnswersSection],
  ["quickReplies", QuickRepliesSection],
  ["blockList", BlockListSection],
  ["limits", LimitsSection],
  ["sync", SyncSection],
];

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

/**
 * The form: the document as loaded, the draft being edited, and the problems the app finds
 * in the draft (asked again a moment after each change; Save waits until there are none).
 */
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
        {loadError ? (
          <div role="alert" class="error-inline">
            {loadError}
          </div>
        ) : (
          <p>Loading…</p>
        )}
      </section>
    );
  }
  const set = (path: string, value: unknown) => {
    setDraft((d) => (d ? setPath(d, path, value) : d));
    setStatus("");
  };
  const changed = JSON.stringify(draft) !== JSON.stringify(saved) || keyText.trim() !== "";
  const placed = bySection(errors, GROUPS);

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
      {placed.summary.length > 0 && (
        <div role="alert" class="error-inline">
          <FieldError errors={placed.summary} named />
        </div>
      )}
      {PLAIN.map(([group, Component]) => (
        <Component key={group} draft={draft} errors={placed.sections[group]} set={set} />
      ))}
      <AssistantSection
        phone={props.phone}
        draft={draft}
        errors={placed.sections.assistant}
        set={set}
        keyText={keyText}
        setKeyText={(t) => {
          setKeyText(t);
          setStatus("");
        }}
        keyState={keyState}
        setKeyState={setKeyState}
      />
      <DryRunSection settings={draft} phone={props.phone} />
    </section>
  );
}
