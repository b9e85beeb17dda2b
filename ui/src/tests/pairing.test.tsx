// Pairing needs a person on both ends, and every screen about one phone names it: the
// Devices screen shows a button before a code, the pairing dialog shows the phone's name
// and fingerprint and answers only when pressed, and Settings, Dashboard and Appointments
// act on the phone chosen (never on the first of several).
import { act, fireEvent, render, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { onePhone, peer, settingsDoc } from "./fixtures";
import { api, resetApi } from "./mockApi";

vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import { AppError, type Settings } from "../api";
import { DevicesScreen } from "../screens/Devices";
import { SettingsScreen } from "../screens/Settings";
import { Dashboard } from "../screens/Dashboard";
import { Appointments } from "../screens/Appointments";
import { PairingDialog } from "../components/PairingDialog";
import { chosenPhone } from "../components/PhonePicker";

beforeEach(() => resetApi(0));

const devices = (pairing: { qr_svg: string; short_code: string; payload: string; expires_ms: number } | null) => ({
  pairing,
  phones: [],
  network: "default" as const,
  relay_url: "",
  restart_needed: false,
});

describe("Devices", () => {
  it("shows a button, not a code, until Pair a phone is pressed; the code can be closed again", async () => {
    api.devices.mockResolvedValue(devices(null));
    api.newTicket.mockResolvedValue(devices({ qr_svg: "<svg/>", short_code: "ABCDE-FGHIJ", payload: "ringback:pair/1/X", expires_ms: Date.now() + 600_000 }));
    api.cancelTicket.mockResolvedValue(devices(null));
    const { findByTestId, queryByTestId, getByTestId } = render(<DevicesScreen phones={[]} />);
    const button = await findByTestId("pair-phone");
    expect(queryByTestId("short-code")).toBeNull();
    expect(queryByTestId("qr")).toBeNull();
    expect(api.newTicket).not.toHaveBeenCalled();
    fireEvent.click(button);
    expect((await findByTestId("short-code")).textContent).toBe("ABCDE-FGHIJ");
    expect(getByTestId("qr")).toBeTruthy();
    expect(queryByTestId("pair-phone")).toBeNull();
    fireEvent.click(getByTestId("close-code"));
    await findByTestId("pair-phone");
    expect(api.cancelTicket).toHaveBeenCalled();
    expect(queryByTestId("short-code")).toBeNull();
  });

  it("lists each paired phone with its fingerprint", async () => {
    api.devices.mockResolvedValue(devices(null));
    const { findAllByTestId } = render(<DevicesScreen phones={[peer("a", "Shop phone", { fingerprint: "K7QD-M2XA-PL4F" })]} />);
    const rows = await findAllByTestId("peer-row");
    expect(rows[0].textContent).toContain("Shop phone");
    expect(rows[0].textContent).toContain("K7QD-M2XA-PL4F");
  });
});

describe("A phone asking to pair", () => {
  const request = { endpoint: "ep-new", name: "Pixel 8", fingerprint: "K7QD-M2XA-PL4F", expires_ms: Date.now() + 120_000 };

  it("shows its name and fingerprint and pairs it only on Accept", async () => {
    api.acceptPairing.mockResolvedValue(null);
    const { getByTestId, getByRole } = render(<PairingDialog requests={[request]} />);
    expect(getByRole("alertdialog")).toBeTruthy();
    expect(getByTestId("pairing-name").textContent).toBe("Pixel 8");
    expect(getByTestId("pairing-fingerprint").textContent).toBe("K7QD-M2XA-PL4F");
    expect(document.activeElement).toBe(getByTestId("pairing-reject"));
    expect(api.acceptPairing).not.toHaveBeenCalled();
    await act(async () => {
      fireEvent.click(getByTestId("pairing-accept"));
    });
    expect(api.acceptPairing).toHaveBeenCalledWith("ep-new");
    expect(api.rejectPairing).not.toHaveBeenCalled();
  });

  it("rejects it, and says so when the phone stopped waiting", async () => {
    api.rejectPairing.mockRejectedValue(new AppError({ message: "that phone is not waiting to pair any more", field: null }));
    const { getByTestId, findByRole } = render(<PairingDialog requests={[request]} />);
    await act(async () => {
      fireEvent.click(getByTestId("pairing-reject"));
    });
    expect(api.rejectPairing).toHaveBeenCalledWith("ep-new");
    expect((await findByRole("alert")).textContent).toContain("not waiting");
  });

  it("shows nothing when no phone waits", () => {
    const { queryByTestId } = render(<PairingDialog requests={[]} />);
    expect(queryByTestId("pairing-request")).toBeNull();
  });
});

describe("The phone a screen acts on", () => {
  // "00…" sorts first: a planted phone's id would.
  const phones = [peer("00planted", "Shop phone", { fingerprint: "AAAA-BBBB-CCCC" }), peer("b7mine", "Shop phone", { fingerprint: "K7QD-M2XA-PL4F" })];

  it("is the one chosen, or the only one; with several and none chosen, none", () => {
    expect(chosenPhone(phones, null)).toBeNull();
    expect(chosenPhone(phones, "b7mine")).toBe("b7mine");
    expect(chosenPhone(phones, "unpaired")).toBeNull();
    expect(chosenPhone([phones[1]], null)).toBe("b7mine");
    expect(chosenPhone([], "b7mine")).toBeNull();
  });

  it("settings load and save for the phone chosen, and for none before one is chosen", async () => {
    api.settings.mockResolvedValue(settingsDoc({ business_name: "Acme" }));
    api.previewTemplate.mockResolvedValue({ text: "Hi", segments: { encoding: "gsm7", segments: 1, characters: 2, remaining_in_segment: 158 } });
    api.sampleDay.mockResolvedValue("");
    api.validateSettings.mockResolvedValue([]);
    api.saveSettings.mockImplementation(async (_phone: string, s: Settings) => s);
    const choose = vi.fn();
    const view = render(<SettingsScreen phones={phones} phone={null} onChoosePhone={choose} />);
    expect(view.getByTestId("settings-no-phone").textContent).toContain("Choose the phone");
    expect(api.settings).not.toHaveBeenCalled();
    const picker = view.getByTestId("phone-picker") as HTMLSelectElement;
    // Both phones are offered by name and fingerprint, so two "Shop phone"s are told apart.
    expect(Array.from(picker.options).map((o) => o.textContent)).toEqual(["Choose a phone", "Shop phone (AAAA-BBBB-CCCC)", "Shop phone (K7QD-M2XA-PL4F)"]);
    fireEvent.change(picker, { target: { value: "b7mine" } });
    expect(choose).toHaveBeenCalledWith("b7mine");
    view.rerender(<SettingsScreen phones={phones} phone="b7mine" onChoosePhone={choose} />);
    await waitFor(() => expect(api.settings).toHaveBeenCalledWith("b7mine"));
    fireEvent.input(await view.findByLabelText("Business name"), { target: { value: "Acme Plumbing" } });
    await waitFor(() => expect((view.getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(view.getByTestId("settings-save"));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(api.saveSettings.mock.calls[0][0]).toBe("b7mine");
    expect(api.saveSettings.mock.calls.every((c) => c[0] !== "00planted")).toBe(true);
  });

  it("names the one phone on Settings, and the dashboard and appointments ask for it", async () => {
    api.settings.mockResolvedValue(settingsDoc());
    api.previewTemplate.mockResolvedValue({ text: "Hi", segments: { encoding: "gsm7", segments: 1, characters: 2, remaining_in_segment: 158 } });
    api.sampleDay.mockResolvedValue("");
    api.validateSettings.mockResolvedValue([]);
    const settings = render(<SettingsScreen {...onePhone} />);
    expect((await settings.findByTestId("phone-name")).textContent).toContain("Shop phone");
    settings.unmount();
    api.dashboard.mockResolvedValue({ missed: 0, texted: 0, replied: 0, recovery_rate: null, booked: 0, median_text_seconds: null, median_first_answer_seconds: null, days: [] });
    const dash = render(<Dashboard version={0} {...onePhone} />);
    await waitFor(() => expect(api.dashboard).toHaveBeenCalled());
    expect(api.dashboard.mock.calls[0][0]).toBe("p1");
    expect(dash.getByTestId("phone-name").textContent).toContain("Shop phone");
    dash.unmount();
    api.appointments.mockResolvedValue([]);
    const appts = render(<Appointments version={0} onOpen={() => {}} phones={phones} phone={null} onChoosePhone={() => {}} />);
    expect(appts.getByTestId("phone-picker")).toBeTruthy();
    expect(api.appointments).not.toHaveBeenCalled();
    appts.rerender(<Appointments version={0} onOpen={() => {}} phones={phones} phone="b7mine" onChoosePhone={() => {}} />);
    await waitFor(() => expect(api.appointments).toHaveBeenCalledWith("b7mine"));
  });
});
