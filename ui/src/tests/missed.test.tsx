// A call that ended while Ringback was not running: the calls screen says so and offers
// "Text them now", which asks the app to send the text-back (once) and shows its refusal.
import { fireEvent, render, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, resetApi } from "./mockApi";

vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import { Calls } from "../screens/Calls";
import { AppError, type CallRow } from "../api";

beforeEach(() => resetApi(5));

const t = Date.now() - 3 * 3_600_000;
const conv = { phone: "p1", id: 9 };
const late: CallRow = {
  phone: "p1", id: 1, caller: "+12125550001", display_number: "+1 212-555-0001", contact_name: null, line: "SIM 1",
  outcome: "missed", ended_ms: t, decision: { skipped: "too_late" }, decision_words: "missed while Ringback was not running",
  texted_ms: null, replied: false, conversation: conv,
};
const cooled: CallRow = { ...late, id: 2, decision: { skipped: "cooldown" }, decision_words: "not texted: they were texted recently" };

describe("a call missed while Ringback was not running", () => {
  it("says so and texts them with one click, without opening the conversation", async () => {
    api.missedCalls.mockResolvedValue([late, cooled]);
    api.textBackNow.mockResolvedValue(null);
    const onOpen = vi.fn();
    const { findAllByTestId, getAllByTestId } = render(<Calls version={0} onOpen={onOpen} />);
    const rows = await findAllByTestId("call-row");
    expect(rows[0].textContent).toContain("Missed while Ringback was not running");
    const buttons = getAllByTestId("text-them-now");
    expect(buttons).toHaveLength(1);
    fireEvent.click(buttons[0]);
    await waitFor(() => expect(api.textBackNow).toHaveBeenCalledWith("p1", 1));
    await waitFor(() => expect((buttons[0] as HTMLButtonElement).disabled).toBe(true));
    expect(buttons[0].textContent).toContain("on its way");
    expect(onOpen).not.toHaveBeenCalled();
  });

  it("shows the app's refusal and lets the person try again", async () => {
    api.missedCalls.mockResolvedValue([late]);
    api.textBackNow.mockRejectedValue(new AppError({ message: "they have been texted since this call", field: null }));
    const { findByTestId, findByRole } = render(<Calls version={0} onOpen={vi.fn()} />);
    fireEvent.click(await findByTestId("text-them-now"));
    expect((await findByRole("alert")).textContent).toContain("texted since this call");
    expect(((await findByTestId("text-them-now")) as HTMLButtonElement).disabled).toBe(false);
  });
});
