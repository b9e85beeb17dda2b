// Words and times as the team reads them.
import type { CallRow, MessageRow } from "./api";

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const timeSec = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayTime = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const day = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });

export function clock(ms: number): string {
  return time.format(new Date(ms));
}
export function clockSeconds(ms: number): string {
  return timeSec.format(new Date(ms));
}
/** Today: "14:02"; another day: "Mar 2, 14:02". */
export function when(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const n = new Date(now);
  return d.toDateString() === n.toDateString() ? time.format(d) : dayTime.format(d);
}
export function date(ms: number): string {
  return day.format(new Date(ms));
}

/** "42 s", "3 min 10 s", "2 h 5 min", "—" for none. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const r = s % 60;
    return r ? `${m} min ${r} s` : `${m} min`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  return `${Math.round(rate * 100)}%`;
}

/** A message's state in words; why it failed or was not sent is core's sentence (`failure_words`). */
export function stateWords(
  m: Pick<MessageRow, "status" | "failure_words" | "direction"> & {
    hold?: MessageRow["hold"];
    retry?: MessageRow["retry"];
  },
): string {
  const why = (label: string) => (m.failure_words ? `${label} — ${m.failure_words}` : label);
  switch (m.status) {
    case "queued":
      return m.hold ? `Held until ${when(m.hold.until_ms)} — ${m.hold.words.replace(/^held: /, "")}` : "Queued";
    case "sending":
      return "Sending";
    case "sent":
      return "Sent";
    case "delivered":
      return "Delivered";
    case "failed":
      return why("Failed");
    case "unconfirmed":
      return why("Not confirmed");
    case "expired":
      return why("Expired");
    case "cancelled":
      return why("Not sent");
    case "received":
      return "Received";
    case "retrying":
      return m.retry
        ? `Retrying since ${when(m.retry.since_ms)}${m.retry.words ? ` (${m.retry.words})` : ""}`
        : "Retrying";
  }
}

export function leadWords(s: string): string {
  return ({ new: "New", engaged: "Engaged", booked: "Booked", lost: "Lost" } as Record<string, string>)[s] ?? s;
}

export function outcomeWords(o: string): string {
  return (
    {
      missed: "Missed",
      rejected: "Declined",
      voicemail: "Voicemail",
      answered: "Answered",
      blocked: "Blocked",
      outgoing: "Outgoing",
    } as Record<string, string>
  )[o] ?? o;
}

/** "Texted back" and the like, as a line of its own begins. */
function capital(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Decided = Pick<CallRow, "decision_words" | "texted_ms">;

/** What the phone did about a call, in core's words, with when a text-back left: "Texted back 10:02:07". */
export function decisionWords(c: Decided): string {
  if (c.decision_words === null) return "No decision yet";
  return c.texted_ms !== null ? `${capital(c.decision_words)} ${clockSeconds(c.texted_ms)}` : capital(c.decision_words);
}

/** The same, as a call line in a thread says it: "texted back 10:02", "not texted: they were texted recently". */
export function callLineWords(c: Decided): string {
  if (c.decision_words === null) return "";
  return c.texted_ms !== null ? `${c.decision_words} ${clock(c.texted_ms)}` : c.decision_words;
}

/** What a message was for, as the badge in a thread says it ("" for plain texts and replies). */
export function kindWords(kind: string): string {
  switch (kind) {
    case "reply":
    case "inbound":
      return "";
    case "assistant":
      return "Assistant";
    case "from_phone":
      return "from the phone";
    default:
      return kind.replace(/_/g, "-");
  }
}

/** Where the assistant stands in a conversation, with its reason, as one sentence. */
export function assistantWords(a: { status: string; reason: string }): string {
  const reason = a.reason.trim();
  const label =
    (
      {
        thinking: "Assistant is writing an answer",
        answered: "Assistant is answering",
        drafted: "Assistant wrote a draft for you to send",
        handed_off: "Assistant stopped",
        needs_team: "Assistant couldn't answer",
        daily_limit: "Assistant paused for today",
      } as Record<string, string>
    )[a.status] ?? "Assistant";
  const plain = ["writing an answer", "answered by itself", "wrote a draft for you to send"];
  if (!reason || plain.includes(reason)) return a.status === "thinking" ? `${label}…` : `${label}.`;
  const tail = /[.!?]$/.test(reason) ? "" : ".";
  const yours = a.status === "handed_off" && !/yours/.test(reason) ? " The conversation is yours to answer." : "";
  return `${label}: ${reason}${tail}${yours}`;
}
