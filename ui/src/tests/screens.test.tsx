import { when } from "../format";
import { fireEvent, render, waitFor, act } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { assistantSettings, detail, message, row, onePhone, peer } from "./fixtures";
import { api, resetApi } from "./mockApi";

// Every command the screens call, as spies; each test sets what they answer.
vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import { Inbox } from "../screens/Inbox";
import { Conversation } from "../screens/Conversation";
import { SettingsScreen, HoursRow } from "../screens/Settings";
import { DashboardView } from "../screens/Dashboard";
import { DevicesScreen } from "../screens/Devices";
import { DemoPanel } from "../screens/Demo";
import { AppError } from "../api";
import { duration } from "../format";

beforeEach(() => resetApi(5));

describe("Inbox", () => {
  it("moves with the arrow keys and opens the third row with Enter; / focuses search", async () => {
    api.inboxCount.mockResolvedValue(5);
    api.inboxPage.mockResolvedValue([1, 2, 3, 4, 5].map((i) => row(i)));
    const onOpen = vi.fn();
    const { container, findAllByTestId, getByTestId } = render(<Inbox version={0} open={null} onOpen={onOpen} noPhone={false} />);
    const rows = await findAllByTestId("conv-row");
    expect(rows.length).toBe(5);
    const box = container.querySelector(".list-box") as HTMLElement;
    fireEvent.keyDown(box, { key: "ArrowDown" });
    fireEvent.keyDown(box, { key: "ArrowDown" });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onOpen).toHaveBeenCalledWith({ phone: "p1", id: 3 });

    fireEvent.keyDown(document.body, { key: "/" });
    expect(document.activeElement).toBe(getByTestId("search"));
  });

  it("shows unread badges, lead status and opted out on a row", async () => {
    api.inboxCount.mockResolvedValue(1);
    api.inboxPage.mockResolvedValue([row(1, { unread: 3, lead_status: "booked", opted_out: true, contact_name: "Dana" })]);
    const { findByTestId } = render(<Inbox version={0} open={null} onOpen={() => {}} noPhone={false} />);
    const r = await findByTestId("conv-row");
    expect(r.getAttribute("data-unread")).toBe("3");
    expect(r.textContent).toContain("Dana");
    expect(r.textContent).toContain("Booked");
    expect(r.textContent).toContain("Opted out");
    expect(r.textContent).not.toContain("Paused");
  });

  it("marks a row whose automatic texts wait for a decision", async () => {
    api.inboxCount.mockResolvedValue(1);
    api.inboxPage.mockResolvedValue([row(1, { paused: true })]);
    const { findByTestId } = render(<Inbox version={0} open={null} onOpen={() => {}} noPhone={false} />);
    const r = await findByTestId("conv-row");
    expect(r.textContent).toContain("Paused");
    expect(r.textContent).not.toContain("Opted out");
  });
});

describe("Conversation", () => {
  const key = { phone: "p1", id: 1 };

  it("says each message's state in words, with Resend only on failed and expired ones", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([
      message(4, { status: "expired", failure: { expired: { hours: 24 } }, failure_words: "it reached the phone too late" }),
      message(3, { status: "failed", failure: { not_sent: "no_service" }, failure_words: "no service" }),
      message(2, { status: "unconfirmed" }),
      message(1, { status: "delivered" }),
    ]);
    const { findAllByTestId } = render(<Conversation convKey={key} version={0} />);
    const bubbles = await findAllByTestId("message");
    const text = bubbles.map((b) => b.textContent ?? "");
    expect(text[0]).toContain("Delivered");
    expect(text[1]).toContain("Not confirmed");
    expect(text[2]).toContain("Failed — no service");
    expect(text[3]).toContain("Expired — it reached the phone too late");
    const resends = bubbles.map((b) => b.querySelector("button")?.textContent ?? "");
    expect(resends).toEqual(["", "", "Resend", "Resend"]);
    api.resend.mockResolvedValue(null);
    fireEvent.click(bubbles[2].querySelector("button") as HTMLElement);
    expect(api.resend).toHaveBeenCalledWith(key, 3);
  });

  it("says since when and why a text is retried, and offers no Resend while it is", async () => {
    api.conversation.mockResolvedValue(detail());
    const since = new Date();
    since.setHours(14, 2, 0, 0);
    api.thread.mockResolvedValue([
      message(1, {
        status: "retrying",
        failure: { not_sent: "no_service" },
        failure_words: "no mobile service; the text will need resending once the phone has signal",
        retry: { since_ms: since.getTime(), words: "no service" },
      }),
    ]);
    const { findAllByTestId } = render(<Conversation convKey={key} version={0} />);
    const [bubble] = await findAllByTestId("message");
    // "Retrying since 14:02 (no service)", the time as this machine's locale writes it.
    expect(bubble.textContent).toContain(`Retrying since ${when(since.getTime())} (no service)`);
    expect(bubble.querySelector("button")).toBeNull();
  });

  it("shows the opted-out banner and disables the composer", async () => {
    api.conversation.mockResolvedValue(
      detail({ opted_out_since_ms: 1_800_000_000_000, opted_out_words: "this person texted STOP, so replies are off" }),
    );
    api.thread.mockResolvedValue([message(1)]);
    const { findByTestId, getByTestId } = render(<Conversation convKey={key} version={0} />);
    const banner = await findByTestId("optout-banner");
    expect(banner.textContent).toContain("this person texted STOP, so replies are off");
    expect((getByTestId("composer") as HTMLTextAreaElement).disabled).toBe(true);
    expect((getByTestId("send") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows a paused banner whose two actions decide, and keeps the composer for a person's reply", async () => {
    api.conversation.mockResolvedValue(detail({ paused_since_ms: 1_800_000_000_000 }));
    api.thread.mockResolvedValue([message(1, { direction: "inbound", kind: "inbound", body: "don't text me again" })]);
    api.decideOptOut.mockResolvedValue(null);
    const { findByTestId, getByTestId, queryByTestId } = render(<Conversation convKey={key} version={0} />);
    const banner = await findByTestId("paused-banner");
    expect(banner.textContent).toContain("paused its automatic texts");
    expect(queryByTestId("optout-banner")).toBeNull();
    expect((getByTestId("composer") as HTMLTextAreaElement).disabled).toBe(false);
    fireEvent.click(getByTestId("paused-opt-out"));
    await waitFor(() => expect(api.decideOptOut).toHaveBeenCalledWith(key, "opt_out"));
    fireEvent.click(getByTestId("paused-resume"));
    await waitFor(() => expect(api.decideOptOut).toHaveBeenCalledWith(key, "resume"));
  });

  it("says an opt-out is on its way once decided, and the STOP banner wins once recorded", async () => {
    api.conversation.mockResolvedValue(detail({ paused_since_ms: 1_800_000_000_000, opt_out_requested: true }));
    api.thread.mockResolvedValue([message(1)]);
    const first = render(<Conversation convKey={key} version={0} />);
    const banner = await first.findByTestId("paused-banner");
    expect(banner.getAttribute("data-state")).toBe("opt_out");
    expect(first.queryByTestId("paused-opt-out")).toBeNull();
    first.unmount();
    api.conversation.mockResolvedValue(detail({ paused_since_ms: 1_800_000_000_000, opted_out_since_ms: 1_800_000_000_000 }));
    const second = render(<Conversation convKey={key} version={0} />);
    await second.findByTestId("optout-banner");
    expect(second.queryByTestId("paused-banner")).toBeNull();
  });

  it("sends with Ctrl+Enter, clears the box, and shows core's segment count", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([message(1)]);
    api.sendReply.mockResolvedValue(null);
    api.segments.mockResolvedValue({ encoding: "ucs2", segments: 2, characters: 80, remaining_in_segment: 54, max_segments: 10 });
    const { findByTestId, getByTestId } = render(<Conversation convKey={key} version={0} />);
    const box = (await findByTestId("composer")) as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "On our way 🚐" } });
    await waitFor(() => expect(getByTestId("segments").textContent).toContain("2 SMS parts"));
    expect(getByTestId("segments").textContent).toContain("Unicode");
    fireEvent.keyDown(box, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(api.sendReply).toHaveBeenCalledWith(key, "On our way 🚐"));
    await waitFor(() => expect(box.value).toBe(""));
  });

  it("keeps the text and says why when the phone cannot take the reply", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([]);
    api.sendReply.mockRejectedValue(new AppError({ message: "that phone is no longer paired", field: null }));
    const { findByTestId, findByRole } = render(<Conversation convKey={key} version={0} />);
    const box = (await findByTestId("composer")) as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "Hello" } });
    fireEvent.keyDown(box, { key: "Enter", ctrlKey: true });
    expect((await findByRole("alert")).textContent).toContain("no longer paired");
    expect(box.value).toBe("Hello");
  });
});

describe("Settings", () => {
  const settings = {
    business_name: "Acme",
    region: "US",
    timezone: "America/New_York",
    text_back: { enabled: true, delay_seconds: 0, triggers: ["missed"], audience: "everyone", cooldown_hours: 24, quiet_if_texting_minutes: 120, late_window_minutes: 15 },
    templates: { business_hours: "Hi", after_hours: "Hi", opt_out_confirmation: "Bye", opt_in_confirmation: "Back", help: "Help" },
    business_hours: { mon: ["09:00-17:00"], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    follow_ups: [],
    keyword_replies: [],
    block_list: [],
    limits: { max_per_30_minutes: 25, replies_per_desktop_per_hour: 60, allowed_countries: [], mms_max_kb: 300 },
    sync: { network: "default", relay_url: "", reply_expiry_hours: 24 },
    quick_replies: [],
    assistant: assistantSettings(),
  };

  it("shows an error next to its field and keeps Save off until it is fixed", async () => {
    api.settings.mockResolvedValue(settings);
    api.previewTemplate.mockResolvedValue({ text: "Hi", segments: { encoding: "gsm7", segments: 1, characters: 2, remaining_in_segment: 158, max_segments: 10 } });
    api.sampleDay.mockResolvedValue("");
    api.validateSettings.mockResolvedValue([{ message: "must be between 0 and 3600 seconds", field: "text_back.delay_seconds" }]);
    const { findAllByTestId, getByTestId, getByLabelText } = render(<SettingsScreen {...onePhone} />);
    const errors = await findAllByTestId("field-error");
    expect(errors[0].getAttribute("data-field")).toBe("text_back.delay_seconds");
    // It sits in the delay field's box.
    const delay = getByLabelText("Wait before texting (seconds)");
    expect(delay.closest(".field")?.contains(errors[0])).toBe(true);
    expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(true);
  });

  it("edits business hours: adding and removing a range", () => {
    const onChange = vi.fn();
    const { getByText, getAllByLabelText } = render(<HoursRow day="tue" label="Tuesday" ranges={["09:00-12:00"]} errors={[]} onChange={onChange} />);
    fireEvent.click(getByText("Add hours"));
    expect(onChange).toHaveBeenLastCalledWith(["09:00-12:00", "12:00-14:00"]);
    fireEvent.click(getAllByLabelText(/Remove Tuesday/)[0]);
    expect(onChange).toHaveBeenLastCalledWith([]);
    fireEvent.input(getAllByLabelText("Tuesday closes")[0], { target: { value: "13:30" } });
    expect(onChange).toHaveBeenLastCalledWith(["09:00-13:30"]);
  });
});

describe("Dashboard", () => {
  it("formats durations and draws one group of bars per day", () => {
    expect(duration(42)).toBe("42 s");
    expect(duration(190)).toBe("3 min 10 s");
    expect(duration(7500)).toBe("2 h 5 min");
    expect(duration(null)).toBe("—");
    const days = ["2026-11-01", "2026-11-02", "2026-11-03"].map((day, i) => ({ day, missed: i + 1, texted: i, replied: 0, booked: 0 }));
    const { container, getByText } = render(
      <DashboardView
        data={{ missed: 6, texted: 3, replied: 1, recovery_rate: 1 / 6, booked: 1, median_text_seconds: 2, median_first_answer_seconds: 190, days }}
      />,
    );
    expect(container.querySelectorAll("g.day").length).toBe(3);
    expect(container.querySelectorAll("g.day rect").length).toBe(9);
    expect(getByText("17%")).toBeTruthy();
    expect(getByText("3 min 10 s")).toBeTruthy();
  });
});

describe("Devices and demo", () => {
  it("shows the pairing code and each phone's connection", async () => {
    api.devices.mockResolvedValue({
      pairing: { qr_svg: "<svg/>", short_code: "ABCDE-FGHIJ", payload: "ringback:pair/1/X", expires_ms: Date.now() + 9 * 60_000 },
      phones: [],
      network: "default",
      relay_url: "",
      restart_needed: false,
    });
    const phones = [peer("a", "Shop phone"), peer("b", "Van", { link: "offline", offline_since_ms: Date.now() - 60_000 })];
    const { findByTestId, getAllByTestId } = render(<DevicesScreen phones={phones} />);
    expect((await findByTestId("short-code")).textContent).toBe("ABCDE-FGHIJ");
    const rows = getAllByTestId("peer-row").map((r) => r.textContent ?? "");
    expect(rows[0]).toContain("Direct over the internet");
    expect(rows[1]).toContain("Offline since");
    expect(rows[1]).toContain("open Ringback on the phone");
  });

  it("says how each phone is linked: on this network, over the internet, through which relay, its RTT and since when", async () => {
    api.devices.mockResolvedValue({ pairing: null, phones: [], network: "default", relay_url: "", restart_needed: false });
    const since = Date.now() - 5 * 60_000;
    const at = when(since);
    const phones = [
      peer("a", "Shop phone", { link: "lan", rtt_ms: 3, since_ms: since }),
      peer("b", "Van", { link: "direct", rtt_ms: null, since_ms: since }),
      peer("c", "Front desk phone", { link: "relay", relay: "relay.example.com", rtt_ms: 84, since_ms: since }),
      peer("d", "Spare", { link: "offline", since_ms: since, offline_since_ms: since }),
    ];
    const { getAllByTestId } = render(<DevicesScreen phones={phones} />);
    const rows = getAllByTestId("peer-row").map((r) => r.textContent ?? "");
    expect(rows[0]).toContain(`Direct on this network · 3 ms · since ${at}`);
    expect(rows[1]).toContain(`Direct over the internet · since ${at}`);
    expect(rows[2]).toContain(`Through relay relay.example.com · 84 ms · since ${at}`);
    expect(rows[3]).toContain(`Offline since ${at}`);
    const cells = getAllByTestId("peer-row").map((r) => r.querySelectorAll("td")[2]);
    expect(cells[2].getAttribute("title")).toContain("end-to-end encrypted");
  });

  it("shows why pairing the simulated phone failed", async () => {
    api.demoPair.mockRejectedValue(new AppError({ message: "the phone could not pair: the code's checksum does not match", field: null }));
    const { getByTestId } = render(<DemoPanel />);
    fireEvent.input(getByTestId("demo-pair-code"), { target: { value: "WRONG" } });
    await act(async () => {
      fireEvent.click(getByTestId("demo-pair"));
    });
    await waitFor(() => expect(getByTestId("demo-error").textContent).toContain("could not pair"));
    expect(api.demoPair).toHaveBeenCalledWith("WRONG");
  });
});
