// Settings errors come from the app (core's field paths and sentences) and show where they
// belong: beside their field when it is on screen, else at the top of their section, and
// only errors about no section (or no field) in the summary at the top. Each shows once.
import { render, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { onePhone, settingsDoc } from "./fixtures";
import { api, resetApi } from "./mockApi";

vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import type { AppErrorShape, Settings } from "../api";
import { SettingsScreen } from "../screens/Settings";
import { Spots, bySection } from "../screens/settings/errors";

beforeEach(() => resetApi(5));

function serve(errors: AppErrorShape[], doc: Settings = settingsDoc()) {
  api.settings.mockResolvedValue(doc);
  api.previewTemplate.mockResolvedValue({ text: "Hi", segments: { encoding: "gsm7", segments: 1, characters: 2, remaining_in_segment: 158, max_segments: 10 } });
  api.sampleDay.mockResolvedValue("");
  api.validateSettings.mockResolvedValue(errors);
}

/** The fieldset whose legend reads `legend`. */
function section(container: Element, legend: string): HTMLElement {
  const found = Array.from(container.querySelectorAll<HTMLElement>("fieldset")).find((f) => f.querySelector("legend")?.textContent === legend);
  if (!found) throw new Error(`no section ${legend}`);
  return found;
}

async function shown(container: Element, count: number): Promise<Map<string, HTMLElement[]>> {
  await waitFor(() => expect(container.querySelectorAll("[data-testid=field-error]").length).toBe(count));
  const byField = new Map<string, HTMLElement[]>();
  for (const e of Array.from(container.querySelectorAll<HTMLElement>("[data-testid=field-error]"))) {
    const f = e.getAttribute("data-field") ?? "";
    byField.set(f, [...(byField.get(f) ?? []), e]);
  }
  return byField;
}

describe("Where a settings error shows", () => {
  it("keeps an error about a field that is not on screen in its section, not in the summary", async () => {
    // The relay address is hidden while the network is not a self-hosted relay; the
    // second follow-up does not exist (any more).
    serve([
      { message: "is not a valid address", field: "sync.relay_url" },
      { message: "is empty; write the text", field: "follow_ups[1].body" },
    ]);
    const { container, getByTestId } = render(<SettingsScreen {...onePhone} />);
    const byField = await shown(container, 2);
    const relay = byField.get("sync.relay_url")?.[0] as HTMLElement;
    expect(section(container, "Sync (used by the phone)").contains(relay)).toBe(true);
    expect(relay.textContent).toContain("sync.relay_url");
    expect(relay.textContent).toContain("is not a valid address");
    expect(section(container, "Follow-ups").contains(byField.get("follow_ups[1].body")?.[0] as HTMLElement)).toBe(true);
    // Nothing in the summary at the top, and Save waits.
    expect(container.querySelector(".settings > [role=alert]")).toBeNull();
    expect((getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows a field the form had no pattern for beside it or in its section: the form keeps no copy of the schema", async () => {
    serve([
      { message: "must be true or false", field: "text_back.enabled" },
      { message: "is not known to this phone", field: "text_back.ring_seconds" },
      { message: "too many", field: "limits.max_per_day" },
    ]);
    const { container, getByLabelText } = render(<SettingsScreen {...onePhone} />);
    const byField = await shown(container, 3);
    const textBack = section(container, "Text-back");
    expect(textBack.contains(byField.get("text_back.enabled")?.[0] as HTMLElement)).toBe(true);
    expect(textBack.contains(byField.get("text_back.ring_seconds")?.[0] as HTMLElement)).toBe(true);
    // A limit a newer phone knows is drawn from the document, and its error sits beside it.
    const perDay = getByLabelText("Max per day");
    expect(perDay.getAttribute("aria-invalid")).toBe("true");
    expect(perDay.closest(".field")?.contains(byField.get("limits.max_per_day")?.[0] as HTMLElement)).toBe(true);
  });

  it("puts an error about no field, or about a key no section edits, in the summary at the top", async () => {
    serve([
      { message: "The settings could not be read.", field: null },
      { message: "is not a setting", field: "colour_scheme" },
      { message: "closes before it opens", field: "business_hours.fri[0]" },
    ]);
    const { container, getByRole } = render(<SettingsScreen {...onePhone} />);
    const byField = await shown(container, 3);
    const summary = container.querySelector(".settings > [role=alert]") as HTMLElement;
    expect(summary.contains(byField.get("")?.[0] as HTMLElement)).toBe(true);
    expect(summary.contains(byField.get("colour_scheme")?.[0] as HTMLElement)).toBe(true);
    expect(summary.textContent).toContain("colour_scheme: is not a setting");
    expect(getByRole("group", { name: "Friday" }).contains(byField.get("business_hours.fri[0]")?.[0] as HTMLElement)).toBe(true);
  });

  it("shows every error once, wherever it goes", async () => {
    const fields = [
      "business_name", "region", "timezone", "text_back.delay_seconds", "text_back.triggers", "text_back.triggers[0]",
      "templates.help", "templates.nothing", "business_hours.mon", "business_hours.mon[0]", "follow_ups", "follow_ups[0]",
      "follow_ups[0].body", "keyword_replies[0].keyword", "keyword_replies", "quick_replies[0]", "quick_replies",
      "block_list", "block_list[1]", "limits.max_per_30_minutes", "limits.allowed_countries[0]", "sync.network",
      "sync.reply_expiry_hours", "assistant.mode", "assistant.api_key", "assistant.services[2]", "assistant.availability.tue[0]",
      "assistant.availability", "assistant.handoff_text", "assistant.nothing", "unknown",
    ];
    const doc = settingsDoc({
      follow_ups: [{ after_hours: 24, body: "" }],
      keyword_replies: [{ keyword: "", body: "x" }],
      quick_replies: [""],
    });
    serve(fields.map((field) => ({ message: `about ${field}`, field })), doc);
    const { container } = render(<SettingsScreen {...onePhone} />);
    const byField = await shown(container, fields.length);
    for (const f of fields) expect(byField.get(f)?.length, f).toBe(1);
  });
});

describe("Spots", () => {
  const e = (field: string | null): AppErrorShape => ({ message: "x", field });

  it("hands each error to the first field that takes it, and the rest to the section", () => {
    const errors = [e("a.b"), e("a.b[0]"), e("a.bc"), e("a.b.c"), e("a"), e(null)];
    const spots = new Spots(errors);
    expect(spots.at("a.b")).toEqual([errors[0]]);
    expect(spots.inside("a.b")).toEqual([errors[1], errors[3]]);
    expect(spots.within("a.b")).toEqual([]);
    expect(spots.within("a.bc")).toEqual([errors[2]]);
    expect(spots.rest()).toEqual([errors[4], errors[5]]);
    expect(spots.rest()).toEqual([]);
  });

  it("splits errors among sections by the top-level keys they own", () => {
    const errors = [e("text_back.delay_seconds"), e("business_name"), e("follow_ups[3].body"), e("mystery.field"), e(null)];
    const { sections, summary } = bySection(errors, { business: ["business_name", "region"], textBack: ["text_back"], followUps: ["follow_ups"] });
    expect(sections.business).toEqual([errors[1]]);
    expect(sections.textBack).toEqual([errors[0]]);
    expect(sections.followUps).toEqual([errors[2]]);
    expect(summary).toEqual([errors[3], errors[4]]);
  });
});
