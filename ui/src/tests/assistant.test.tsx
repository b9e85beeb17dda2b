// The assistant's pieces of the window: the lead card, its state and buttons, drafts in the
// composer, assistant texts in the thread, the appointments list and its settings.
import { fireEvent, render, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { assistantSettings, detail, message, row, settingsDoc, onePhone } from "./fixtures";
import { api, resetApi } from "./mockApi";

vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import { Conversation } from "../screens/Conversation";
import { Appointments } from "../screens/Appointments";
import { SettingsScreen } from "../screens/Settings";
import type { AppointmentView, Settings } from "../api";
import { assistantWords, kindWords } from "../format";

beforeEach(() => resetApi(5));

const key = { phone: "p1", id: 1 };

describe("Conversation with the assistant", () => {
  it("marks the assistant's texts in the thread", async () => {
    api.conversation.mockResolvedValue(detail({ assistant_mode: "auto" }));
    api.thread.mockResolvedValue([
      message(2, { kind: "assistant", body: "Sure — what's the postcode?" }),
      message(1, { kind: "inbound", direction: "inbound", status: "received" }),
    ]);
    const { findAllByTestId } = render(<Conversation convKey={key} version={0} />);
    const bubbles = await findAllByTestId("message");
    const kinds = bubbles.map((b) => b.querySelector("[data-testid=message-kind]")?.textContent ?? "");
    expect(kinds).toEqual(["", "Assistant"]);
    expect(bubbles[1].getAttribute("data-kind")).toBe("assistant");
  });

  it("shows the lead card with its fields, the booking and the appointment", async () => {
    api.conversation.mockResolvedValue(
      detail({
        row: row(1, { lead_status: "booked" }),
        lead: { problem: "Leaking pipe", postcode: "10001", urgency: "urgent", preferred_time: "today after 3" },
        lead_card: "Leaking pipe · 10001 · urgent · today after 3",
        appointment: appointment(),
      }),
    );
    api.thread.mockResolvedValue([]);
    const { findByTestId, getByTestId } = render(<Conversation convKey={key} version={0} />);
    const card = await findByTestId("lead-card");
    expect(getByTestId("lead-card-line").textContent).toBe("Leaking pipe · 10001 · urgent · today after 3");
    expect(card.textContent).toContain("Where10001");
    expect(card.textContent).toContain("When suits themtoday after 3");
    expect(getByTestId("lead-booked").textContent).toBe("Booked");
    expect(getByTestId("lead-appointment").textContent).toContain("Tue, Nov 3, 08:00–09:00 (America/New_York)");
  });

  it("has no lead card and no assistant bar when the assistant is off and never took part", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([]);
    const { findByTestId, queryByTestId } = render(<Conversation convKey={key} version={0} />);
    await findByTestId("conv-header");
    expect(queryByTestId("lead-card")).toBeNull();
    expect(queryByTestId("assistant-state")).toBeNull();
  });

  it("says why the assistant could not answer, and the team can take over", async () => {
    api.conversation.mockResolvedValue(
      detail({
        assistant_mode: "auto",
        assistant: { status: "needs_team", reason: "The assistant's server did not answer within 10 s. The conversation is yours to answer.", at_ms: 1 },
      }),
    );
    api.thread.mockResolvedValue([]);
    api.assistantTakeOver.mockResolvedValue(null);
    const { findByTestId, getByTestId, queryByTestId } = render(<Conversation convKey={key} version={0} />);
    const state = await findByTestId("assistant-state");
    expect(state.getAttribute("data-status")).toBe("needs_team");
    expect(state.textContent).toContain(
      "Assistant couldn't answer: The assistant's server did not answer within 10 s. The conversation is yours to answer.",
    );
    expect(queryByTestId("assistant-resume")).toBeNull();
    fireEvent.click(getByTestId("assistant-take-over"));
    expect(api.assistantTakeOver).toHaveBeenCalledWith(key);
  });

  it("offers to hand a taken-over conversation back", async () => {
    api.conversation.mockResolvedValue(
      detail({ assistant_mode: "suggest", assistant: { status: "handed_off", reason: "a person replied", at_ms: 1 } }),
    );
    api.thread.mockResolvedValue([]);
    api.assistantResume.mockResolvedValue(null);
    const { findByTestId, queryByTestId } = render(<Conversation convKey={key} version={0} />);
    const state = await findByTestId("assistant-state");
    expect(state.textContent).toContain("Assistant stopped: a person replied. The conversation is yours to answer.");
    expect(queryByTestId("assistant-take-over")).toBeNull();
    fireEvent.click(await findByTestId("assistant-resume"));
    expect(api.assistantResume).toHaveBeenCalledWith(key);
  });

  it("fills the composer with the draft, marked, and sends it as edited", async () => {
    api.conversation.mockResolvedValue(detail({ assistant_mode: "suggest", draft: "We can come at 3pm. What's the postcode?" }));
    api.thread.mockResolvedValue([]);
    api.sendReply.mockResolvedValue(null);
    const { findByTestId, getByTestId, queryByTestId } = render(<Conversation convKey={key} version={0} />);
    const note = await findByTestId("draft-note");
    expect(note.textContent).toContain("Draft by the assistant — edit and send");
    const box = getByTestId("composer") as HTMLTextAreaElement;
    expect(box.value).toBe("We can come at 3pm. What's the postcode?");
    fireEvent.input(box, { target: { value: "We can come at 4pm. What's the postcode?" } });
    fireEvent.click(getByTestId("send"));
    await waitFor(() => expect(api.sendReply).toHaveBeenCalledWith(key, "We can come at 4pm. What's the postcode?"));
    await waitFor(() => expect(queryByTestId("draft-note")).toBeNull());
    expect(box.value).toBe("");
  });

  it("dismisses a draft", async () => {
    api.conversation.mockResolvedValue(detail({ assistant_mode: "suggest", draft: "Draft text" }));
    api.thread.mockResolvedValue([]);
    api.dismissDraft.mockResolvedValue(null);
    const { findByTestId, getByTestId, queryByTestId } = render(<Conversation convKey={key} version={0} />);
    fireEvent.click(await findByTestId("draft-dismiss"));
    expect(api.dismissDraft).toHaveBeenCalledWith(key);
    expect((getByTestId("composer") as HTMLTextAreaElement).value).toBe("");
    expect(queryByTestId("draft-note")).toBeNull();
  });

  it("does not overwrite what a person is typing with a new draft", async () => {
    api.conversation.mockResolvedValue(detail({ assistant_mode: "suggest", draft: "" }));
    api.thread.mockResolvedValue([]);
    const view = render(<Conversation convKey={key} version={0} />);
    const box = (await view.findByTestId("composer")) as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "My own words" } });
    api.conversation.mockResolvedValue(detail({ assistant_mode: "suggest", draft: "The assistant's words" }));
    view.rerender(<Conversation convKey={key} version={1} />);
    await waitFor(() => expect(api.conversation).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 20));
    expect(box.value).toBe("My own words");
    expect(view.queryByTestId("draft-note")).toBeNull();
  });
});

function appointment(extra: Partial<AppointmentView> = {}): AppointmentView {
  return {
    key: { phone: "p1", id: 1 },
    id: 7,
    number: "+12125550142",
    display_number: "+1 212-555-0142",
    contact_name: null,
    start_ms: 1_793_710_800_000,
    end_ms: 1_793_714_400_000,
    day: "Tue, Nov 3",
    time: "08:00–09:00",
    timezone: "America/New_York",
    summary: "Leaking pipe · 10001",
    ...extra,
  };
}

describe("Appointments", () => {
  it("lists appointments in the business's zone, opens the conversation and exports .ics", async () => {
    api.appointments.mockResolvedValue([appointment(), appointment({ id: 8, key: { phone: "p1", id: 2 }, contact_name: "Dana", day: "Wed, Nov 4" })]);
    api.exportAppointments.mockResolvedValue({ path: "/home/me/Downloads/ringback-appointments.ics", count: 2 });
    const onOpen = vi.fn();
    const { findAllByTestId, getByTestId, findByTestId, getByText } = render(<Appointments version={0} onOpen={onOpen} {...onePhone} />);
    const rows = await findAllByTestId("appointment-row");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining("Tue, Nov 308:00–09:00+1 212-555-0142Leaking pipe · 10001"),
      expect.stringContaining("Dana (+1 212-555-0142)"),
    ]);
    expect(getByText(/times in America\/New_York/)).toBeTruthy();
    fireEvent.click(rows[1].querySelector("[data-testid=appointment-open]") as HTMLElement);
    expect(onOpen).toHaveBeenCalledWith({ phone: "p1", id: 2 });
    fireEvent.click(getByTestId("export-ics"));
    const result = await findByTestId("export-result");
    expect(result.textContent).toContain("Saved 2 appointments to /home/me/Downloads/ringback-appointments.ics");
  });

  it("says when there is nothing booked, with export off", async () => {
    api.appointments.mockResolvedValue([]);
    const { findByText, getByTestId } = render(<Appointments version={0} onOpen={() => {}} {...onePhone} />);
    await findByText(/No appointments yet/);
    expect((getByTestId("export-ics") as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("Assistant settings", () => {
  const base = (): Settings =>
    settingsDoc({
      limits: { max_per_30_minutes: 25, replies_per_desktop_per_hour: 60, allowed_countries: [], mms_max_kb: 300 },
      assistant: assistantSettings({ mode: "suggest", base_url: "http://127.0.0.1:8080/v1" }),
    });
  const phoneKey = {
    set: true,
    mask: "sk-…9f3a",
    server: "http://127.0.0.1:8080",
    status: "set",
    reason: "set from a desktop",
    at_ms: 1_800_000_000_000,
    pending: false,
  };

  function serve(errors: { message: string; field: string | null }[] = []) {
    api.settings.mockResolvedValue(base());
    api.assistantKey.mockResolvedValue(phoneKey);
    api.previewTemplate.mockResolvedValue({ text: "Hi", segments: { encoding: "gsm7", segments: 1, characters: 2, remaining_in_segment: 158, max_segments: 10 } });
    api.sampleDay.mockResolvedValue("");
    api.validateSettings.mockResolvedValue(errors);
    api.saveSettings.mockImplementation(async (_phone: string, s: Settings) => s);
  }

  it("keeps the key box write-only: empty, what the phone holds shown masked, and no key sent unless typed", async () => {
    serve();
    const { findByTestId, getByTestId } = render(<SettingsScreen {...onePhone} />);
    const keyBox = (await findByTestId("assistant-api-key")) as HTMLInputElement;
    expect(keyBox.type).toBe("password");
    expect(keyBox.value).toBe("");
    await waitFor(() => expect(getByTestId("assistant-key-state").textContent).toContain("A key is set on the phone: sk-…9f3a"));
    expect(getByTestId("assistant-key-state").textContent).toContain("http://127.0.0.1:8080");
    fireEvent.input(getByTestId("assistant-model"), { target: { value: "qwen2.5" } });
    await waitFor(() => expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(getByTestId("settings-save"));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    const [, sent, key] = api.saveSettings.mock.calls[0] as [string, Settings, unknown];
    expect(key).toBeNull();
    expect(JSON.stringify(sent)).not.toContain("9f3a");
    expect("api_key" in sent.assistant).toBe(false);
    expect(sent.assistant.model).toBe("qwen2.5");
  });

  it("sends a typed key with the settings once, then empties the box", async () => {
    serve();
    const { findByTestId, getByTestId } = render(<SettingsScreen {...onePhone} />);
    fireEvent.input(await findByTestId("assistant-api-key"), { target: { value: "  sk-brand-new-key-123456 " } });
    await waitFor(() => expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(getByTestId("settings-save"));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(api.saveSettings.mock.calls[0][0]).toBe(onePhone.phone);
    expect(api.saveSettings.mock.calls[0][2]).toEqual({ set: "sk-brand-new-key-123456" });
    await waitFor(() => expect((getByTestId("assistant-api-key") as HTMLInputElement).value).toBe(""));
    expect(getByTestId("settings-status").textContent).toContain("does not keep it");
  });

  it("warns that another server drops the phone's key, and removes the key on request", async () => {
    serve();
    const { findByTestId, getByTestId, queryByTestId } = render(<SettingsScreen {...onePhone} />);
    await waitFor(() => expect(getByTestId("assistant-key-state").textContent).toContain("sk-…9f3a"));
    expect(queryByTestId("assistant-key-moves")).toBeNull();
    // Same server, another path: the key stays.
    fireEvent.input(await findByTestId("assistant-base-url"), { target: { value: "http://127.0.0.1:8080/v2" } });
    expect(queryByTestId("assistant-key-moves")).toBeNull();
    // Another port is another server.
    fireEvent.input(getByTestId("assistant-base-url"), { target: { value: "http://127.0.0.1:9090/v1" } });
    await waitFor(() => expect(getByTestId("assistant-key-moves").textContent).toContain("removes the key from the phone"));
    // A key typed with the move goes with it: no warning.
    fireEvent.input(getByTestId("assistant-api-key"), { target: { value: "sk-for-the-new-server-1" } });
    expect(queryByTestId("assistant-key-moves")).toBeNull();
    api.setAssistantKey.mockResolvedValue({ ...phoneKey, set: false, mask: "", server: "", status: "removed", reason: "removed from a desktop" });
    fireEvent.click(getByTestId("assistant-key-remove"));
    await waitFor(() => expect(api.setAssistantKey).toHaveBeenCalledWith(onePhone.phone, "remove"));
    await waitFor(() => expect(getByTestId("assistant-key-state").textContent).toBe("No key on the phone."));
    expect(queryByTestId("assistant-key-remove")).toBeNull();
  });

  it("says when a key is on its way and when the phone refused one", async () => {
    serve();
    api.assistantKey.mockResolvedValue({ ...phoneKey, set: false, mask: "", server: "", status: "none", pending: true });
    const { getByTestId, rerender } = render(<SettingsScreen {...onePhone} version={0} />);
    await waitFor(() => expect(getByTestId("assistant-key-state").textContent).toContain("on its way to the phone"));
    api.assistantKey.mockResolvedValue({
      ...phoneKey,
      set: false,
      mask: "",
      server: "",
      status: "refused",
      reason: "it was typed for http://a:1, but the assistant now uses http://b:2; type the key again for that server",
    });
    rerender(<SettingsScreen {...onePhone} version={1} />);
    await waitFor(() => expect(getByTestId("assistant-key-state").textContent).toContain("did not take the last key"));
  });

  it("shows that the dry run's assistant is scripted", async () => {
    serve();
    api.dryRun.mockResolvedValue({ lines: [], assistant_note: "The assistant's answers in this dry run are scripted, not the model's." });
    const { findByTestId, getByTestId } = render(<SettingsScreen {...onePhone} />);
    fireEvent.click(await findByTestId("dry-run"));
    await waitFor(() => expect(getByTestId("dry-run-note").textContent).toContain("scripted"));
  });

  it("edits mode, lists, bookable hours and numbers into the document", async () => {
    serve();
    const { findByTestId, getByTestId, getByLabelText, getByRole } = render(<SettingsScreen {...onePhone} />);
    fireEvent.change(await findByTestId("assistant-mode"), { target: { value: "auto" } });
    fireEvent.click(getByTestId("assistant-after-hours"));
    fireEvent.input(getByLabelText("Services offered (one per line)"), { target: { value: "Leak repair\n\nDrain cleaning\n" } });
    fireEvent.input(getByLabelText("Area served: postcodes or towns (one per line)"), { target: { value: "10001" } });
    fireEvent.input(getByLabelText("Prices it may quote (one per line)"), { target: { value: "Call-out fee $89" } });
    fireEvent.input(getByLabelText("Appointment length (minutes)"), { target: { value: "90" } });
    fireEvent.input(getByLabelText("Most assistant texts per conversation per day"), { target: { value: "4" } });
    fireEvent.input(getByLabelText("Most texts it answers per conversation per day"), { target: { value: "20" } });
    fireEvent.input(getByLabelText("Most appointments it books per conversation per day"), { target: { value: "0" } });
    const wed = getByRole("group", { name: "Bookable Wednesday" });
    expect(wed.textContent).toContain("Same as business hours");
    fireEvent.click(Array.from(wed.querySelectorAll("button")).find((b) => b.textContent === "Add hours") as HTMLElement);
    await waitFor(() => expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(getByTestId("settings-save"));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    const a = (api.saveSettings.mock.calls[0][1] as Settings).assistant;
    expect(a.mode).toBe("auto");
    expect(a.auto_only_after_hours).toBe(true);
    expect(a.services).toEqual(["Leak repair", "Drain cleaning"]);
    expect(a.service_area).toEqual(["10001"]);
    expect(a.price_notes).toEqual(["Call-out fee $89"]);
    expect(a.slot_minutes).toBe(90);
    expect(a.max_texts_per_day).toBe(4);
    expect(a.max_model_calls_per_day).toBe(20);
    expect(a.max_appointments_per_day).toBe(0);
    expect(a.availability.wed).toEqual(["09:00-17:00"]);
    expect(a.availability.mon).toEqual([]);
    // The business hours are untouched.
    expect((api.saveSettings.mock.calls[0][1] as Settings).business_hours.wed).toEqual([]);
  });

  it("shows an assistant error beside its field and a bookable-hours error beside its day", async () => {
    serve([
      { message: "is empty; give the address of the assistant's server", field: "assistant.base_url" },
      { message: "closes before it opens", field: "assistant.availability.tue[0]" },
      { message: "each entry is 1 to 200 characters", field: "assistant.services[0]" },
      { message: "must be between 1 and 100, not 0", field: "assistant.max_model_calls_per_day" },
      { message: "must be between 0 and 10, not 11", field: "assistant.max_appointments_per_day" },
    ]);
    const { findAllByTestId, getByTestId, getByRole, getByLabelText } = render(<SettingsScreen {...onePhone} />);
    const errors = await findAllByTestId("field-error");
    const byField = new Map(errors.map((e) => [e.getAttribute("data-field") ?? "", e]));
    expect(getByTestId("assistant-base-url").getAttribute("aria-invalid")).toBe("true");
    expect(byField.get("assistant.base_url")?.closest(".field")?.contains(getByTestId("assistant-base-url"))).toBe(true);
    expect(getByRole("group", { name: "Bookable Tuesday" }).contains(byField.get("assistant.availability.tue[0]") as HTMLElement)).toBe(true);
    expect(getByRole("group", { name: "Tuesday" }).contains(byField.get("assistant.availability.tue[0]") as HTMLElement)).toBe(false);
    expect(getByTestId("assistant-settings").contains(byField.get("assistant.services[0]") as HTMLElement)).toBe(true);
    // The caps' errors show beside their boxes.
    for (const [field, label] of [
      ["assistant.max_model_calls_per_day", "Most texts it answers per conversation per day"],
      ["assistant.max_appointments_per_day", "Most appointments it books per conversation per day"],
    ]) {
      const box = getByLabelText(label);
      expect(box.getAttribute("aria-invalid")).toBe("true");
      expect(byField.get(field)?.closest(".field")?.contains(box)).toBe(true);
    }
    expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("Words", () => {
  it("labels kinds and the assistant's states", () => {
    expect(kindWords("assistant")).toBe("Assistant");
    expect(kindWords("reply")).toBe("");
    expect(kindWords("opt_out_confirmation")).toBe("opt-out-confirmation");
    expect(assistantWords({ status: "thinking", reason: "writing an answer" })).toBe("Assistant is writing an answer…");
    expect(assistantWords({ status: "daily_limit", reason: "it sent its 6 texts for today in this conversation" })).toBe(
      "Assistant paused for today: it sent its 6 texts for today in this conversation.",
    );
  });
});
