// Rows as the app sends them, for component tests.
import type { CallRow, ConversationDetail, ConversationRow, MessageRow } from "../api";

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
    created_ms: 1_800_000_000_000 + id * 1000,
    left_ms: null,
    ...extra,
  };
}

export function detail(extra: Partial<ConversationDetail> = {}): ConversationDetail {
  return {
    row: row(1),
    note: "",
    opted_out_since_ms: null,
    calls: [] as CallRow[],
    quick_replies: ["On our way!"],
    ...extra,
  };
}
