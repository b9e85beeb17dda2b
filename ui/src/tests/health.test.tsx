// A phone's health on Devices (each check, the fix for each that failed) and the inbox's
// "Needs attention" strip (each alert with its fix, nothing when none is left).
import { fireEvent, render } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { peer } from "./fixtures";
import { HealthChecklist } from "../components/HealthChecklist";
import { NeedsAttention } from "../components/NeedsAttention";
import type { AlertRow } from "../bindings";

const FIX = "On the phone, open Settings → Apps → Ringback → Permissions → Call logs and allow it.";

describe("the phone's health on Devices", () => {
  it("lists each check and shows the fix for a revoked permission", () => {
    const phone = peer("p1", "Shop phone", {
      health: {
        reported_at_ms: Date.now(),
        app_version: "0.1.0",
        checklist: [
          { label: "Ringback's service is running", state: "ok", detail: null, fix: null },
          {
            label: "Permission: Call logs (read_call_log)",
            state: "problem",
            detail: "Ringback lost the Call logs permission",
            fix: FIX,
          },
        ],
      },
    });
    const { getAllByTestId, getByText } = render(<HealthChecklist phone={phone} />);
    const checks = getAllByTestId("check");
    expect(checks.map((c) => c.dataset.state)).toEqual(["ok", "problem"]);
    expect(checks[1].textContent).toContain("Call logs");
    expect(getByText(FIX)).toBeTruthy();
    expect(checks[0].querySelector(".fix")).toBeNull();
  });

  it("says when a phone has not reported yet", () => {
    const { getByTestId } = render(<HealthChecklist phone={peer("p1", "Shop phone")} />);
    expect(getByTestId("health-none").textContent).toContain("not reported");
  });
});

describe("Needs attention", () => {
  const silent: AlertRow = {
    key: "p1:phone_silent",
    phone: "p1",
    kind: "phone_silent",
    title: "Shop phone has been silent for more than 10 minutes",
    fix: "Check that the phone is on.",
    since_ms: Date.now() - 11 * 60_000,
    conversation: null,
  };

  it("lists each alert with its fix", () => {
    const { getAllByTestId, getByRole } = render(<NeedsAttention alerts={[silent]} />);
    expect(getByRole("status").textContent).toContain("Needs attention");
    const rows = getAllByTestId("alert");
    expect(rows).toHaveLength(1);
    expect(rows[0].dataset.kind).toBe("phone_silent");
    expect(rows[0].textContent).toContain("Check that the phone is on.");
  });

  it("opens the conversation an alert is about", () => {
    const handed: AlertRow = {
      key: "p1:handed_to_team:4",
      phone: "p1",
      kind: "handed_to_team",
      title: "The assistant handed Dana to the team: the caller asked for a person",
      fix: "Open the conversation and answer them.",
      since_ms: Date.now(),
      conversation: 4,
    };
    const onOpen = vi.fn();
    const { getAllByTestId } = render(<NeedsAttention alerts={[silent, handed]} onOpen={onOpen} />);
    const rows = getAllByTestId("alert");
    expect(rows[0].querySelector("button")).toBeNull();
    fireEvent.click(rows[1].querySelector("button") as HTMLButtonElement);
    expect(onOpen).toHaveBeenCalledWith({ phone: "p1", id: 4 });
  });

  it("shows nothing once every alert is cleared", () => {
    const { queryByTestId } = render(<NeedsAttention alerts={[]} />);
    expect(queryByTestId("needs-attention")).toBeNull();
  });
});
