import { fireEvent, render, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { detail, message, row, settingsDoc, onePhone, peer } from "./fixtures";
import { api, resetApi } from "./mockApi";

vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import { Inbox, ROW_HEIGHT } from "../screens/Inbox";
import { Conversation } from "../screens/Conversation";
import { SettingsScreen } from "../screens/Settings";
import { DevicesScreen } from "../screens/Devices";
import { AppError, type Settings } from "../api";

beforeEach(() => resetApi(0));

/** An inbox of `n` conversations served in keyset pages, as the app does. */
function serveInbox(n: number) {
  const all = (i: number) => row(i, { last_activity_ms: 2_000_000_000_000 - i * 1000 });
  api.inboxCount.mockResolvedValue(n);
  api.inboxPage.mockImplementation(async (_f: string, after: { id: number } | null, limit: number) => {
    const from = after ? after.id + 1 : 0;
    return Array.from({ length: Math.max(0, Math.min(limit, n - from)) }, (_, k) => all(from + k));
  });
}

describe("Inbox with 20,000 conversations", () => {
  it("draws a window of rows, and loads the next page by cursor when scrolled into unloaded rows", async () => {
    serveInbox(20_000);
    const { container, findAllByTestId } = render(<Inbox version={0} open={null} onOpen={() => {}} noPhone={false} />);
    await findAllByTestId("conv-row");
    expect(api.inboxPage).toHaveBeenCalledWith("all", null, 200);
    expect(container.querySelectorAll("[data-testid=conv-row]").length).toBeLessThan(60);
    const space = container.querySelector(".vspace") as HTMLElement;
    expect(space.style.height).toBe(`${20_000 * ROW_HEIGHT}px`);

    const list = container.querySelector(".vlist") as HTMLElement;
    list.scrollTop = 195 * ROW_HEIGHT;
    fireEvent.scroll(list);
    // The page after row 199, asked for with that row's cursor.
    await waitFor(() =>
      expect(api.inboxPage).toHaveBeenCalledWith("all", { last_activity_ms: 2_000_000_000_000 - 199 * 1000, phone: "p1", id: 199 }, 200),
    );
    await waitFor(() => expect(container.querySelector("[data-number='+12125550205']")).not.toBeNull());
    expect(container.querySelectorAll("[data-testid=conv-row]").length).toBeLessThan(60);
  });

  it("keeps the selected conversation selected when the store changes and rows move", async () => {
    serveInbox(10);
    const onOpen = vi.fn();
    const { container, findAllByTestId, rerender } = render(<Inbox version={0} open={null} onOpen={onOpen} noPhone={false} />);
    await findAllByTestId("conv-row");
    const box = container.querySelector(".list-box") as HTMLElement;
    fireEvent.keyDown(box, { key: "ArrowDown" });
    fireEvent.keyDown(box, { key: "ArrowDown" }); // row id 2
    // A new conversation arrives on top: everything moves down one.
    api.inboxPage.mockResolvedValue([row(99), ...[0, 1, 2, 3, 4].map((i) => row(i))]);
    api.inboxCount.mockResolvedValue(11);
    rerender(<Inbox version={1} open={null} onOpen={onOpen} noPhone={false} />);
    await waitFor(() => expect(container.querySelector("[data-number='+12125550099']")).not.toBeNull());
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onOpen).toHaveBeenLastCalledWith({ phone: "p1", id: 2 });
  });

  it("keeps the rows in view in place when a new conversation arrives on top", async () => {
    serveInbox(1000);
    const { container, findAllByTestId, rerender } = render(<Inbox version={0} open={null} onOpen={() => {}} noPhone={false} />);
    await findAllByTestId("conv-row");
    const list = container.querySelector(".vlist") as HTMLElement;
    list.scrollTop = 100 * ROW_HEIGHT;
    fireEvent.scroll(list);
    const before = api.inboxPage.getMockImplementation()!;
    api.inboxPage.mockImplementation(async (f: string, after: { id: number } | null, limit: number) =>
      after ? before(f, after, limit) : [row(5000), ...(await before(f, null, limit - 1))],
    );
    api.inboxCount.mockResolvedValue(1001);
    rerender(<Inbox version={1} open={null} onOpen={() => {}} noPhone={false} />);
    await waitFor(() => expect(container.querySelector("[data-number='+12125555000']")).toBeNull());
    await waitFor(() => expect(list.scrollTop).toBe(101 * ROW_HEIGHT));
    expect(container.querySelector("[data-number='+12125550100']")).not.toBeNull();
  });

  it("shows search results instead of the inbox while a query is typed", async () => {
    serveInbox(5);
    api.search.mockResolvedValue([{ key: { phone: "p1", id: 7 }, message_id: 3, snippet: "the boiler is leaking", contact_name: "Dana", display_number: "+1 212-555-0007" }]);
    const onOpen = vi.fn();
    const { getByTestId, findByText, queryAllByTestId, findAllByTestId } = render(<Inbox version={0} open={null} onOpen={onOpen} noPhone={false} />);
    await findAllByTestId("conv-row");
    fireEvent.input(getByTestId("search"), { target: { value: "boiler" } });
    fireEvent.click(await findByText("the boiler is leaking"));
    expect(api.search).toHaveBeenCalledWith("boiler", 50);
    expect(queryAllByTestId("conv-row").length).toBe(0);
    expect(onOpen).toHaveBeenCalledWith({ phone: "p1", id: 7 });
  });
});

describe("Conversation thread", () => {
  it("puts calls among the messages in time order, oldest first, and says what the phone did", async () => {
    const t = 1_800_000_000_000;
    api.conversation.mockResolvedValue(
      detail({
        calls: [
          { phone: "p1", id: 1, caller: "+12125550001", display_number: "x", contact_name: null, line: "SIM 1", outcome: "missed", ended_ms: t + 500, decision: "text_back", decision_words: "texted back", texted_ms: t + 900, replied: true, conversation: null },
          { phone: "p1", id: 2, caller: "+12125550001", display_number: "x", contact_name: null, line: "SIM 1", outcome: "missed", ended_ms: t + 5500, decision: { skipped: "cooldown" }, decision_words: "not texted: they were texted recently", texted_ms: null, replied: false, conversation: null },
        ],
      }),
    );
    // Newest first, as thread() answers.
    api.thread.mockResolvedValue([message(3, { direction: "inbound", status: "received" }), message(1, { kind: "text_back" })]);
    const { findAllByTestId, container } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    await findAllByTestId("message");
    const order = Array.from(container.querySelectorAll(".thread > [data-testid=message], .thread > .callline")).map((e) =>
      e.classList.contains("callline") ? `call:${e.textContent}` : `msg:${e.getAttribute("data-direction")}`,
    );
    expect(order.length).toBe(4);
    expect(order[0]).toMatch(/^call:Missed call .*texted back/);
    expect(order[1]).toBe("msg:outbound");
    expect(order[2]).toBe("msg:inbound");
    expect(order[3]).toMatch(/^call:Missed call .*not texted: they were texted recently/);
  });

  it("wraps a 10,000-character body in its bubble", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([message(1, { body: "x".repeat(10_000) })]);
    const { findByTestId } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const m = await findByTestId("message");
    expect(m.querySelector(".body")?.textContent?.length).toBe(10_000);
    expect(m.classList.contains("bubble")).toBe(true);
  });
});


function serveSettings(errors: { message: string; field: string | null }[] = []) {
  api.settings.mockResolvedValue(settingsDoc());
  api.previewTemplate.mockResolvedValue({ text: "Hi", segments: { encoding: "gsm7", segments: 1, characters: 2, remaining_in_segment: 158, max_segments: 10 } });
  api.sampleDay.mockResolvedValue("");
  api.validateSettings.mockResolvedValue(errors);
  api.saveSettings.mockImplementation(async (_phone: string, s: Settings) => s);
}

describe("Settings form", () => {
  it("adds and removes business hours and saves the right document", async () => {
    serveSettings();
    const { findByText, getByRole, getByTestId, getAllByLabelText } = render(<SettingsScreen {...onePhone} />);
    await findByText("Business hours");
    const tuesday = getByRole("group", { name: "Tuesday" });
    fireEvent.click(tuesday.querySelector("button") as HTMLElement); // Add hours
    const monday = getByRole("group", { name: "Monday" });
    fireEvent.click(Array.from(monday.querySelectorAll("button")).find((b) => b.textContent === "Add hours") as HTMLElement);
    fireEvent.click(getAllByLabelText(/Remove Monday 09:00-17:00/)[0]);
    const save = getByTestId("settings-save") as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    fireEvent.click(save);
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    const sent = api.saveSettings.mock.calls[0][1] as Settings;
    expect(sent.business_hours.tue).toEqual(["09:00-17:00"]);
    expect(sent.business_hours.mon).toEqual(["17:00-19:00"]);
    expect(sent.business_hours.wed).toEqual([]);
    expect(api.saveSettings.mock.calls[0][0]).toBe("p1");
    await waitFor(() => expect(getByTestId("settings-status").textContent).toContain("Saved on Shop phone — the phone will use this from the next call"));
  });

  it("shows every limit, including ones it does not know, and edits them as numbers", async () => {
    serveSettings();
    const { findByLabelText, getByTestId } = render(<SettingsScreen {...onePhone} />);
    const perDay = (await findByLabelText("Max per day")) as HTMLInputElement;
    expect(perDay.value).toBe("200");
    fireEvent.input(perDay, { target: { value: "150" } });
    await waitFor(() => expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(getByTestId("settings-save"));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect((api.saveSettings.mock.calls[0][1] as Settings).limits).toEqual({
      max_per_30_minutes: 25,
      replies_per_desktop_per_hour: 60,
      allowed_countries: [],
      mms_max_kb: 300,
      max_per_day: 150,
    });
  });

  it("keeps a new line in the block list while typing, and saves one number per line", async () => {
    serveSettings();
    const { findByLabelText, getByTestId } = render(<SettingsScreen {...onePhone} />);
    const box = (await findByLabelText("Block list (one number per line)")) as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "+12125550100\n" } });
    expect(box.value).toBe("+12125550100\n");
    fireEvent.input(box, { target: { value: "+12125550100\n +12125550101 \n\n" } });
    await waitFor(() => expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(getByTestId("settings-save"));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect((api.saveSettings.mock.calls[0][1] as Settings).block_list).toEqual(["+12125550100", "+12125550101"]);
  });

  it("puts an error about a business-hours range beside that day, and one with no field at the top", async () => {
    serveSettings([
      { message: "closes before it opens: use 09:00-17:00", field: "business_hours.mon[0]" },
      { message: "The settings could not be read.", field: null },
    ]);
    const { findAllByTestId, getByRole } = render(<SettingsScreen {...onePhone} />);
    const errors = await findAllByTestId("field-error");
    const byField = new Map(errors.map((e) => [e.getAttribute("data-field") ?? "", e]));
    expect(getByRole("group", { name: "Monday" }).contains(byField.get("business_hours.mon[0]") as HTMLElement)).toBe(true);
    const top = byField.get("") as HTMLElement;
    expect(top.closest("[role=alert]")).not.toBeNull();
    expect(top.textContent).toContain("could not be read");
    expect((getByRole("group", { name: "Monday" }).querySelector("input") as HTMLInputElement).getAttribute("aria-invalid")).toBe("true");
  });
});

describe("Devices", () => {
  it("asks before unpairing, and unpairs only on confirmation", async () => {
    const devices = { pairing: { qr_svg: "<svg/>", short_code: "CODE", payload: "ringback:pair/1/X", expires_ms: Date.now() + 60_000 }, phones: [], network: "default", relay_url: "", restart_needed: false };
    api.devices.mockResolvedValue(devices);
    api.unpair.mockResolvedValue(null);
    const phones = [peer("ep1", "Shop phone", { link: "relay" })];
    const { getByText, findByTestId, getByLabelText } = render(<DevicesScreen phones={phones} />);
    await findByTestId("short-code");
    expect((await findByTestId("qr")).getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    fireEvent.click(getByLabelText("Unpair Shop phone"));
    expect(api.unpair).not.toHaveBeenCalled();
    fireEvent.click(getByText("Cancel"));
    expect(api.unpair).not.toHaveBeenCalled();
    fireEvent.click(getByLabelText("Unpair Shop phone"));
    fireEvent.click(getByText("Yes, unpair"));
    expect(api.unpair).toHaveBeenCalledWith("ep1");
  });
});

describe("Photos on this computer (Devices)", () => {
  const settings = (extra: object = {}) => ({
    photos_eager_up_to_mb: 2,
    photos_budget_per_phone_mb: 2048,
    max_eager_mb: 16,
    max_budget_mb: 1048576,
    phones: [{ endpoint: "ep1", name: "Shop phone", held_bytes: 3 * 1024 * 1024 * 1024 / 2, removed: 0 }],
    ...extra,
  });
  const screen = () => {
    api.devices.mockResolvedValue({ pairing: null, phones: [], network: "default", relay_url: "", restart_needed: false });
    api.photoSettings.mockResolvedValue(settings());
    return render(<DevicesScreen phones={[peer("ep1", "Shop phone")]} />);
  };
  const eager = "Download full photos up to (MB) as they arrive — 0 downloads only previews";
  const budget = "Keep up to (MB) of photos per phone on this computer";

  it("shows the values and each phone's photos in words, saves them, and says what a lower limit removed", async () => {
    const { findByTestId, getByLabelText, getByTestId } = screen();
    expect((await findByTestId("photo-usage")).textContent).toContain("Shop phone: 1.5 GB of photos on this computer");
    expect((getByLabelText(eager) as HTMLInputElement).value).toBe("2");
    expect((getByLabelText(budget) as HTMLInputElement).value).toBe("2048");
    expect(getByTestId("photos-saved").textContent).toContain("no restart");
    api.setPhotoSettings.mockResolvedValue(
      settings({ photos_eager_up_to_mb: 0, photos_budget_per_phone_mb: 500, phones: [{ endpoint: "ep1", name: "Shop phone", held_bytes: 400 * 1024 * 1024, removed: 7 }] }),
    );
    fireEvent.input(getByLabelText(eager), { target: { value: "0" } });
    fireEvent.input(getByLabelText(budget), { target: { value: "500" } });
    fireEvent.click(getByTestId("save-photos"));
    expect(api.setPhotoSettings).toHaveBeenCalledWith(0, 500);
    await waitFor(() => expect(getByTestId("photos-saved").textContent).toContain("Removed 7 older photos of Shop phone"));
    expect(getByTestId("photos-saved").textContent).toContain("in use now");
    expect(getByTestId("photo-usage").textContent).toContain("400.0 MB of photos on this computer");
  });

  it("shows a refused value's error beside the field it names", async () => {
    const { findByTestId, getByLabelText, getByTestId, findAllByTestId } = screen();
    await findByTestId("photo-usage");
    api.setPhotoSettings.mockRejectedValue(
      new AppError({ message: "photos_eager_up_to_mb is 40, but no photo is larger than 16 MB; use 0 to 16", field: "photos_eager_up_to_mb" }),
    );
    fireEvent.input(getByLabelText(eager), { target: { value: "40" } });
    fireEvent.click(getByTestId("save-photos"));
    const [error] = await findAllByTestId("field-error");
    expect(error.textContent).toContain("no photo is larger than 16 MB");
    const input = getByLabelText(eager) as HTMLInputElement;
    expect(input.closest(".field")?.contains(error)).toBe(true);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect((getByLabelText(budget) as HTMLInputElement).getAttribute("aria-invalid")).toBeNull();
    expect(getByTestId("photos-saved").textContent).not.toContain("Saved");
  });
});

describe("The phone's outbound policy in the window", () => {
  it("says why a queued text is held and until when", async () => {
    api.conversation.mockResolvedValue(detail());
    const until = 1_800_000_600_000;
    api.thread.mockResolvedValue([
      message(2, {
        status: "queued",
        hold: { reason: "reply_budget", words: "held: replies from this desktop reached their hourly budget (Settings → Limits); it leaves when the budget allows", until_ms: until },
      }),
    ]);
    const { findByTestId } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const m = await findByTestId("message");
    const state = m.querySelector(".state")?.textContent ?? "";
    expect(state).toMatch(/^Held until /);
    expect(state).toContain("hourly budget");
  });

  it("refuses to send a reply longer than the phone sends, and says so while it is typed", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([]);
    api.segments.mockResolvedValue({ encoding: "gsm7", segments: 11, characters: 1600, remaining_in_segment: 83, max_segments: 10 });
    const { findByTestId } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const box = (await findByTestId("composer")) as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "x".repeat(1600) } });
    const segments = await findByTestId("segments");
    await waitFor(() => expect(segments.textContent).toContain("too long"));
    expect(((await findByTestId("send")) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(box, { key: "Enter", ctrlKey: true });
    expect(api.sendReply).not.toHaveBeenCalled();
  });

  it("lists the replies a phone refused for numbers that never got in touch, and which desktop wrote them", async () => {
    api.devices.mockResolvedValue({ pairing: null, phones: [], network: "default", relay_url: "", restart_needed: false });
    api.refusedReplies.mockResolvedValue([
      { to: "(646) 555-0001", preview: "Win!", reason: "no_conversation", words: "not sent: the business has never had a call or a text from this number", desktop: "Front desk", requested_ms: Date.now() },
    ]);
    const phones = [{ endpoint: "ep1", name: "Shop phone", link: "relay" as const, relay: null, rtt_ms: null, since_ms: null, offline_since_ms: null, last_sync_ms: null, health: null, fingerprint: "K7QD-M2XA-PL4F" }];
    const { findByTestId } = render(<DevicesScreen phones={phones} />);
    const list = await findByTestId("refused-replies");
    expect(api.refusedReplies).toHaveBeenCalledWith("ep1");
    expect(list.textContent).toContain("Shop phone refused 1 reply");
    expect(list.textContent).toContain("Front desk");
    expect(list.textContent).toContain("never had a call or a text");
  });
});
