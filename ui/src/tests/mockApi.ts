// The app's commands as spies, shared by the component tests: each test file mocks
// `../api` with these, and each test sets what they answer.
import { vi } from "vitest";

const names = [
  "inboxCount", "inboxPage", "search", "conversation", "thread", "markRead", "sendReply", "resend", "decideOptOut",
  "setLeadStatus", "setNote", "segments", "uiReady", "settings", "validateSettings", "saveSettings",
  "previewTemplate", "sampleDay", "dryRun", "devices", "unpair", "demoPair", "demoCall", "demoSms",
  "demoRadio",
  "appointments", "exportAppointments", "assistantResume", "assistantTakeOver", "dismissDraft",
  "dashboard", "newTicket", "cancelTicket", "pairingRequests", "acceptPairing", "rejectPairing",
  "refusedReplies",
  "assistantKey", "setAssistantKey",
  "diagnostics", "saveDiagnostics", "textBackNow", "alerts", "missedCalls", "demoCallLogPermission",
  "attachmentData", "saveAttachment", "preparePhoto", "sendReplyWithPhoto", "demoMms",
  "photoSettings", "setPhotoSettings",
] as const;

export const api = Object.fromEntries(names.map((n) => [n, vi.fn()])) as Record<(typeof names)[number], ReturnType<typeof vi.fn>>;

/** Forgets every answer, then answers what every screen asks in passing. */
export function resetApi(characters = 5) {
  for (const f of Object.values(api)) f.mockReset();
  api.uiReady.mockResolvedValue(null);
  api.markRead.mockResolvedValue(null);
  api.refusedReplies.mockResolvedValue([]);
  api.assistantKey.mockResolvedValue({ set: false, mask: "", server: "", status: "none", reason: "", at_ms: null, pending: false });
  api.photoSettings.mockResolvedValue({ photos_eager_up_to_mb: 2, photos_budget_per_phone_mb: 2048, max_eager_mb: 16, max_budget_mb: 1048576, phones: [] });
  api.segments.mockResolvedValue({ encoding: "gsm7", segments: 1, characters, remaining_in_segment: 160 - characters, max_segments: 10 });
}
