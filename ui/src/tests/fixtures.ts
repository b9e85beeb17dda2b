// Rows as the app sends them, for component tests.
import type { CallRow, ConversationDetail, ConversationRow, MessageRow, PeerRow, Settings } from "../api";
import type { PhoneChoice } from "../components/PhonePicker";

/** A paired phone as the app lists it. */
export function peer(endpoint: string, name: string, extra: Partial<PeerRow> = {}): PeerRow {
  return { endpoint, name, fingerprint: "ABCD-EFGH-JKLM", link: "direct", relay: null, rtt_ms: null, since_ms: null, offline_since_ms: null, last_sync_ms: null, health: null, ...extra };
}

/** One paired phone, chosen: what Settings, Dashboard and Appointments get from the app. */
export const onePhone: PhoneChoice = { phones: [peer("p1", "Shop phone")], phone: "p1", onChoosePhone: () => {} };

export function row(i: number, extra: Partial<ConversationRow> = {}): ConversationRow {
  return {
    key: { phone: "p1", id: i },
    line: "SIM 1",
    number: `+1212555${String(i).padStart(4, "0")}`,
    display_number: `+1 212-555-${String(i).padStart(4, "0")}`,
    contact_name: null,
    unread: 0,
    lead_status: "new",
    opted_out: false,
    paused: false,
    last_activity_ms: 1_800_000_000_000 - i * 1000,
    preview: `Text ${i}`,
    preview_direction: "inbound",
    preview_status: "received",
    ...extra,
  };
}

export function message(id: number, extra: Partial<MessageRow> = {}): MessageRow {
  return {
    id,
    direction: "outbound",
    kind: "reply",
    body: `Message ${id}`,
    status: "delivered",
    failure: null,
    failure_words: null,
    hold: null,
    retry: null,
    created_ms: 1_800_000_000_000 + id * 1000,
    left_ms: null,
    attachments: [],
    others: [],
    ...extra,
  };
}

export function detail(extra: Partial<ConversationDetail> = {}): ConversationDetail {
  return {
    row: row(1),
    note: "",
    opted_out_since_ms: null,
    opted_out_words: null,
    paused_since_ms: null,
    opt_out_requested: false,
    calls: [] as CallRow[],
    quick_replies: ["On our way!"],
    lead: { problem: null, postcode: null, urgency: null, preferred_time: null },
    lead_card: "",
    draft: "",
    assistant: null,
    assistant_mode: "off",
    appointment: null,
    ...extra,
  };
}

/** The assistant part of the settings, as the app sends it (off; never a key). */
export function assistantSettings(extra: Partial<Settings["assistant"]> = {}): Settings["assistant"] {
  return {
    mode: "off",
    auto_only_after_hours: false,
    base_url: "",
    model: "",
    timeout_seconds: 10,
    max_texts_per_day: 6,
    max_model_calls_per_day: 12,
    max_appointments_per_day: 1,
    services: [],
    service_area: [],
    price_notes: [],
    availability: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    slot_minutes: 60,
    handoff_text: "Someone from {business_name} will call you.",
    ...extra,
  };
}

/** A whole settings document as the app reads it, assistant off, with `extra` over it. */
export function settingsDoc(extra: Partial<Settings> = {}): Settings {
  return {
    business_name: "Acme",
    region: "US",
    timezone: "America/New_York",
    text_back: { enabled: true, delay_seconds: 0, triggers: ["missed"], audience: "everyone", cooldown_hours: 24, quiet_if_texting_minutes: 120, late_window_minutes: 15 },
    templates: { business_hours: "Hi", after_hours: "Hi", opt_out_confirmation: "Bye", opt_in_confirmation: "Back", help: "Help" },
    business_hours: { mon: ["09:00-17:00"], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    follow_ups: [],
    keyword_replies: [],
    block_list: [],
    limits: { max_per_30_minutes: 25, replies_per_desktop_per_hour: 60, allowed_countries: [], mms_max_kb: 300, max_per_day: 200 } as Settings["limits"],
    sync: { network: "default", relay_url: "", reply_expiry_hours: 24 },
    quick_replies: [],
    assistant: assistantSettings(),
    ...extra,
  };
}
