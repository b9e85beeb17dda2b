import { useEffect, useRef, useState } from "preact/hooks";
import {
  api,
  messageOf,
  type CallRow,
  type ConvKey,
  type ConversationDetail,
  type MessageRow,
  type SegmentInfo,
} from "../api";
import type { LeadStatus } from "../bindings";
import { assistantWords, callLineWords, clock, date, kindWords, outcomeWords, stateWords, when } from "../format";
import { TextThemNow } from "../components/TextThemNow";
import { AttachButton, AttachedPhoto, Attachments, PhotoViewer, firstImage, useAttachedPhoto, type ShownPhoto } from "../components/Photos";
import type { AttachmentView } from "../bindings";

const PAGE = 100;

type Item = { at: number; message?: MessageRow; call?: CallRow };

export function Conversation(props: { convKey: ConvKey; version: number }) {
  const key = props.convKey;
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [messages, setMessages] = useState<MessageRow[]>([]); // newest first
  const [more, setMore] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const thread = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const loadingOlder = useRef(false);
  const [viewing, setViewing] = useState<AttachmentView | null>(null);

  useEffect(() => {
    let live = true;
    const keep = Math.max(messages.length, PAGE);
    Promise.all([api.conversation(key), api.thread(key, null, Math.min(keep, 2000))])
      .then(([d, page]) => {
        if (!live) return;
        setDetail(d);
        setMessages(page);
        if (props.version === 0 || messages.length === 0) setMore(page.length >= PAGE);
        setError(null);
        if (d.row.unread > 0) api.markRead(key).catch(() => undefined);
      })
      .catch((e) => live && setError(messageOf(e)));
    return () => {
      live = false;
    };
  }, [key.phone, key.id, props.version]);

  // Stay at the newest message when already there.
  useEffect(() => {
    const el = thread.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const loadOlder = () => {
    const oldest = messages.filter((m) => m.id > 0).at(-1);
    if (!oldest || !more || loadingOlder.current) return;
    loadingOlder.current = true;
    const el = thread.current;
    const before = el ? el.scrollHeight - el.scrollTop : 0;
    api
      .thread(key, oldest.id, PAGE)
      .then((page) => {
        setMore(page.length >= PAGE);
        atBottom.current = false;
        setMessages((m) => [...m, ...page]);
        requestAnimationFrame(() => {
          if (el) el.scrollTop = el.scrollHeight - before;
        });
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => {
        loadingOlder.current = false;
      });
  };

  if (!detail) {
    return error ? (
      <div role="alert" class="error-inline">
        {error}
      </div>
    ) : (
      <p class="empty center">Loading…</p>
    );
  }
  const row = detail.row;
  const oldestShown = messages.length ? messages[messages.length - 1].created_ms : 0;
  const items: Item[] = ([
    ...messages.map((m) => ({ at: m.created_ms, message: m })),
    ...detail.calls.filter((c) => !more || c.ended_ms >= oldestShown).map((c) => ({ at: c.ended_ms, call: c })),
  ] as Item[]).sort((a, b) => a.at - b.at || (b.call ? 1 : 0) - (a.call ? 1 : 0));
  // Every photo of the thread, oldest first: the viewer's previous and next.
  const photos: ShownPhoto[] = items.flatMap((it) =>
    (it.message?.attachments ?? []).filter((a) => a.kind === "photo" && a.hash).map((a) => ({ phone: key.phone, attachment: a })),
  );

  return (
    <div class="conversation">
      <header class="conv-header" data-testid="conv-header" data-number={row.number}>
        <div>
          <h1>{row.contact_name ?? row.display_number}</h1>
          <p class="sub">
            {row.contact_name ? `${row.display_number} · ` : ""}
            {row.line}
          </p>
        </div>
        <Lead convKey={key} status={row.lead_status} onError={setError} />
      </header>
      <LeadCard detail={detail} />
      <AssistantBar convKey={key} detail={detail} onError={setError} />
      {error && (
        <div role="alert" class="error-inline">
          {error}
        </div>
      )}
      <div
        class="thread"
        ref={thread}
        role="log"
        aria-label="Messages and calls"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          if (el.scrollTop < 60 && more) loadOlder();
        }}
      >
        {more && (
          <button type="button" class="linkbtn older" onClick={loadOlder}>
            Load earlier messages
          </button>
        )}
        {items.map((it) =>
          it.message ? (
            <Bubble key={`m${it.message.id}-${it.at}`} m={it.message} convKey={key} onError={setError} onOpen={setViewing} />
          ) : it.call ? (
            <CallLine key={`c${it.call.id}`} c={it.call} />
          ) : null,
        )}
      </div>
      {detail.opted_out_since_ms !== null && (
        <div class="optout-banner" data-testid="optout-banner" role="status">
          {date(detail.opted_out_since_ms)}: {detail.opted_out_words ?? "this person texted STOP"}.
        </div>
      )}
      {detail.opted_out_since_ms === null && detail.paused_since_ms !== null && (
        <PausedBanner convKey={key} since={detail.paused_since_ms} requested={detail.opt_out_requested} onError={setError} />
      )}
      <Composer
        key={`${key.phone}-${key.id}`}
        convKey={key}
        disabled={detail.opted_out_since_ms !== null}
        quickReplies={detail.quick_replies}
        draft={detail.draft}
        onSent={() => {
          atBottom.current = true;
        }}
      />
      <Note convKey={key} note={detail.note} onError={setError} />
      {viewing && (
        <PhotoViewer
          photos={photos}
          index={Math.max(0, photos.findIndex((p) => p.attachment.hash === viewing.hash))}
          onClose={() => setViewing(null)}
        />
      )}
    </div>
  );
}

/** A text that probably meant "stop texting me": automatic texts wait for a person here. */
export function PausedBanner(props: { convKey: ConvKey; since: number; requested: boolean; onError: (e: string) => void }) {
  const [busy, setBusy] = useState(false);
  const decide = (decision: "opt_out" | "resume") => {
    setBusy(true);
    api
      .decideOptOut(props.convKey, decision)
      .catch((e) => props.onError(messageOf(e)))
      .finally(() => setBusy(false));
  };
  if (props.requested) {
    return (
      <div class="optout-banner paused-banner" data-testid="paused-banner" data-state="opt_out" role="status">
        Opting this person out: the phone records it when it next syncs. Ringback sends them no automatic texts meanwhile.
      </div>
    );
  }
  return (
    <div class="optout-banner paused-banner" data-testid="paused-banner" data-state="pending" role="status">
      <span>
        On {date(props.since)} this person wrote something that may mean “stop texting me”. Ringback has paused its
        automatic texts to them until someone decides; you can still reply yourself.
      </span>
      <span class="actions">
        <button type="button" class="btn small danger" data-testid="paused-opt-out" disabled={busy} onClick={() => decide("opt_out")}>
          Opt them out
        </button>
        <button type="button" class="btn small" data-testid="paused-resume" disabled={busy} onClick={() => decide("resume")}>
          Resume automatic texts
        </button>
      </span>
    </div>
  );
}

function Bubble(props: { m: MessageRow; convKey: ConvKey; onError: (e: string) => void; onOpen: (a: AttachmentView) => void }) {
  const m = props.m;
  const [busy, setBusy] = useState(false);
  const canResend = m.status === "failed" || m.status === "expired";
  return (
    <div
      class={`bubble ${m.direction} status-${m.status}`}
      data-testid="message"
      data-status={m.status}
      data-direction={m.direction}
      data-kind={m.kind}
    >
      {m.attachments.length > 0 && <Attachments convKey={props.convKey} attachments={m.attachments} onOpen={props.onOpen} />}
      {m.others.length > 0 && (
        <p class="group-note" data-testid="group-note">
          Group message, also sent to {m.others.join(", ")}
        </p>
      )}
      {m.body && <p class="body">{m.body}</p>}
      <p class="meta">
        <span>{when(m.created_ms)}</span>
        {m.direction === "outbound" && <span class="state">{stateWords(m)}</span>}
        {kindWords(m.kind) && (
          <span class={`kind kind-${m.kind}`} data-testid="message-kind">
            {kindWords(m.kind)}
          </span>
        )}
      </p>
      {canResend && (
        <button
          type="button"
          class="btn small"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            api
              .resend(props.convKey, m.id)
              .catch((e) => props.onError(messageOf(e)))
              .finally(() => setBusy(false));
          }}
        >
          Resend
        </button>
      )}
    </div>
  );
}

function CallLine(props: { c: CallRow }) {
  const c = props.c;
  return (
    <div class="callline" role="note">
      <span>
        {outcomeWords(c.outcome)} call {clock(c.ended_ms)}
      </span>
      {c.decision && <span class="decision">{callLineWords(c)}</span>}
      <TextThemNow c={c} />
    </div>
  );
}

/** What the assistant learned about the job, and the booking when there is one. */
export function LeadCard(props: { detail: ConversationDetail }) {
  const d = props.detail;
  const booked = d.row.lead_status === "booked";
  if (!d.lead_card && !d.appointment && !booked) return null;
  const fields: [string, string | null][] = [
    ["Problem", d.lead.problem ?? null],
    ["Where", d.lead.postcode ?? null],
    ["Urgency", d.lead.urgency ?? null],
    ["When suits them", d.lead.preferred_time ?? null],
  ];
  return (
    <section class={booked ? "lead-card booked" : "lead-card"} data-testid="lead-card" aria-label="Lead card">
      <p class="lead-line">
        {booked && (
          <span class="chip lead-booked" data-testid="lead-booked">
            Booked
          </span>
        )}
        <strong data-testid="lead-card-line">{d.lead_card || "Nothing known about the job yet"}</strong>
      </p>
      {fields.some(([, v]) => v) && (
        <dl class="lead-fields">
          {fields
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
        </dl>
      )}
      {d.appointment && (
        <p class="lead-appointment" data-testid="lead-appointment">
          Appointment: {d.appointment.day}, {d.appointment.time} ({d.appointment.timezone})
        </p>
      )}
    </section>
  );
}

/** The assistant's state here, with the buttons to take the conversation over or hand it back. */
export function AssistantBar(props: { convKey: ConvKey; detail: ConversationDetail; onError: (e: string) => void }) {
  const d = props.detail;
  const [busy, setBusy] = useState(false);
  if (d.assistant_mode === "off" && !d.assistant) return null;
  const state = d.assistant;
  const handedOff = state?.status === "handed_off";
  const run = (p: Promise<unknown>) => {
    setBusy(true);
    p.catch((e) => props.onError(messageOf(e))).finally(() => setBusy(false));
  };
  return (
    <div
      class={`assistant-bar assistant-${state?.status ?? "idle"}`}
      data-testid="assistant-state"
      data-status={state?.status ?? ""}
      role="status"
    >
      <span class="assistant-words">
        {state
          ? assistantWords(state)
          : d.assistant_mode === "suggest"
            ? "Assistant will draft answers to new texts here."
            : "Assistant will answer new texts here."}
        {d.assistant_mode === "off" && " (The assistant is off in settings.)"}
      </span>
      {d.assistant_mode !== "off" &&
        (handedOff ? (
          <button type="button" class="btn small" data-testid="assistant-resume" disabled={busy} onClick={() => run(api.assistantResume(props.convKey))}>
            Let the assistant answer
          </button>
        ) : (
          <button type="button" class="btn small" data-testid="assistant-take-over" disabled={busy} onClick={() => run(api.assistantTakeOver(props.convKey))}>
            Take over
          </button>
        ))}
    </div>
  );
}

function Lead(props: { convKey: ConvKey; status: LeadStatus; onError: (e: string) => void }) {
  return (
    <label class="lead">
      <span>Lead</span>
      <select
        value={props.status}
        onChange={(e) => {
          api
            .setLeadStatus(props.convKey, (e.currentTarget as HTMLSelectElement).value as LeadStatus)
            .catch((err) => props.onError(messageOf(err)));
        }}
      >
        <option value="new">New</option>
        <option value="engaged">Engaged</option>
        <option value="booked">Booked</option>
        <option value="lost">Lost</option>
      </select>
    </label>
  );
}

export function Composer(props: {
  convKey: ConvKey;
  disabled: boolean;
  quickReplies: string[];
  /** The assistant's draft ("" for none): it fills an empty composer. */
  draft?: string;
  onSent?: () => void;
}) {
  const [text, setText] = useState("");
  // The draft the composer was filled with ("" when what it holds is the person's own).
  const [fromDraft, setFromDraft] = useState("");
  const draft = props.draft ?? "";
  useEffect(() => {
    if (draft && (text.trim() === "" || text === fromDraft)) {
      setText(draft);
      setFromDraft(draft);
    } else if (!draft && fromDraft && text === fromDraft) {
      // Dismissed or sent elsewhere: the composer empties with it.
      setText("");
      setFromDraft("");
    }
  }, [draft]);
  const dismiss = () => {
    setText("");
    setFromDraft("");
    api.dismissDraft(props.convKey).catch((e) => setError(messageOf(e)));
  };
  const [seg, setSeg] = useState<SegmentInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const attached = useAttachedPhoto(props.convKey.phone);
  const photo = attached.photo;

  /** Puts a quick reply where the cursor is (or at the end). */
  const insert = (q: string) => {
    const el = box.current;
    const at = el ? Math.min(el.selectionStart ?? text.length, text.length) : text.length;
    const before = text.slice(0, at);
    const after = text.slice(at);
    const sep = before && !/\s$/.test(before) ? " " : "";
    const next = `${before}${sep}${q}${after}`;
    setText(next);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      const caret = before.length + sep.length + q.length;
      el.setSelectionRange(caret, caret);
    });
  };

  useEffect(() => {
    const t = setTimeout(() => {
      api
        .segments(text)
        .then(setSeg)
        .catch(() => setSeg(null));
    }, 80);
    return () => clearTimeout(t);
  }, [text]);

  // The phone refuses a reply longer than this; say so while it is typed.
  const tooLong = !!seg && seg.segments > seg.max_segments;
  const empty = !text.trim() && !photo;
  const send = () => {
    if (props.disabled || sending || empty || tooLong || attached.preparing) return;
    setSending(true);
    (photo ? api.sendReplyWithPhoto(props.convKey, text, photo.token) : api.sendReply(props.convKey, text))
      .then(() => {
        setText("");
        setFromDraft("");
        setError(null);
        attached.clear();
        props.onSent?.();
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => setSending(false));
  };

  return (
    <div
      class="composer"
      data-testid="composer-area"
      onDragOver={(e) => {
        if (!props.disabled && e.dataTransfer?.types.includes("Files")) e.preventDefault();
      }}
      onDrop={(e) => {
        if (props.disabled || !e.dataTransfer?.files.length) return;
        e.preventDefault();
        attached.attach(firstImage(e.dataTransfer.files));
      }}
    >
      {(error || attached.error) && (
        <div role="alert" class="error-inline">
          {error ?? attached.error}
        </div>
      )}
      {photo && <AttachedPhoto photo={photo} onRemove={attached.clear} />}
      {attached.preparing && (
        <p class="hint" role="status" data-testid="attach-preparing">
          Making the photo fit an MMS…
        </p>
      )}
      {fromDraft && (
        <div class="draft-note" data-testid="draft-note">
          <span>Draft by the assistant — edit and send</span>
          <button type="button" class="btn small" data-testid="draft-dismiss" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      )}
      <label class="sr-only" for="composer">
        Reply
      </label>
      <textarea
        ref={box}
        id="composer"
        data-testid="composer"
        rows={3}
        placeholder={props.disabled ? "Replies are off: this person opted out." : "Write a reply — Ctrl+Enter sends"}
        disabled={props.disabled}
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
        onPaste={(e) => {
          const image = firstImage(e.clipboardData?.files);
          if (!image) return; // text pastes as text
          e.preventDefault();
          attached.attach(image);
        }}
      />
      <div class="composer-bar">
        <span class={`segments${tooLong ? " over" : ""}`} data-testid="segments" aria-live="polite">
          {seg ? segmentWords(seg) : ""}
          {tooLong && ` · too long: the phone sends at most ${seg?.max_segments} SMS parts`}
        </span>
        {props.quickReplies.length > 0 && (
          <label class="quick">
            <span class="sr-only">Insert a quick reply</span>
            <select
              disabled={props.disabled}
              value=""
              onChange={(e) => {
                const v = (e.currentTarget as HTMLSelectElement).value;
                if (v) insert(v);
              }}
            >
              <option value="">Quick replies…</option>
              {props.quickReplies.map((q, i) => (
                <option key={i} value={q}>
                  {q.length > 60 ? `${q.slice(0, 60)}…` : q}
                </option>
              ))}
            </select>
          </label>
        )}
        <AttachButton disabled={props.disabled || attached.preparing} onFile={attached.attach} />
        <button type="button" class="btn primary" data-testid="send" disabled={props.disabled || sending || empty || tooLong || attached.preparing} onClick={send}>
          Send
        </button>
      </div>
    </div>
  );
}

export function segmentWords(s: SegmentInfo): string {
  if (s.segments === 0) return s.encoding === "ucs2" ? "Unicode — 70 characters per SMS" : "160 characters per SMS";
  const parts = s.segments === 1 ? "1 SMS" : `${s.segments} SMS parts`;
  const left = `${s.remaining_in_segment} characters left`;
  const enc = s.encoding === "ucs2" ? " · Unicode (emoji or special letters): 70 per SMS" : "";
  return `${parts} · ${left}${enc}`;
}

function Note(props: { convKey: ConvKey; note: string; onError: (e: string) => void }) {
  const [value, setValue] = useState(props.note);
  useEffect(() => setValue(props.note), [props.note]);
  return (
    <details class="note">
      <summary>Private note{props.note ? " (1)" : ""}</summary>
      <label class="sr-only" for="note">
        Private note (only the team sees it)
      </label>
      <textarea
        id="note"
        rows={3}
        placeholder="Only the team sees this."
        value={value}
        onInput={(e) => setValue((e.currentTarget as HTMLTextAreaElement).value)}
        onBlur={() => {
          if (value !== props.note) api.setNote(props.convKey, value).catch((e) => props.onError(messageOf(e)));
        }}
      />
    </details>
  );
}
