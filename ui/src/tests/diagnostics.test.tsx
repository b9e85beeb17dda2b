// Devices → Copy diagnostics: the app gathers the text; the window puts it on the
// clipboard within the click, shows what was copied, and when the clipboard fails shows
// the text to copy by hand and saves it to a file on request.
import { fireEvent, render, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { peer } from "./fixtures";
import { api, resetApi } from "./mockApi";

vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import { AppError } from "../api";
import { DevicesScreen } from "../screens/Devices";
import { copyText } from "../components/Diagnostics";

const TEXT = "Ringback desktop diagnostics\nApp: Ringback desktop 0.1.0\n- Shop phone · fingerprint ABCD-EFGH-JKLM · connected (direct)\n";

function clipboard(impl: Partial<Clipboard> | undefined) {
  Object.defineProperty(navigator, "clipboard", { value: impl, configurable: true });
}

beforeEach(() => {
  resetApi(5);
  api.devices.mockResolvedValue({ pairing: null, phones: [], network: "default", relay_url: "", restart_needed: false });
  api.diagnostics.mockResolvedValue({ text: TEXT, phones: 1, log_lines: 120 });
  // The plain clipboard call (engines without promised clipboard items).
  vi.stubGlobal("ClipboardItem", undefined);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("Copy diagnostics", () => {
  it("copies what the app gathered and says what it holds", async () => {
    const writeText = vi.fn(async () => undefined);
    clipboard({ writeText });
    const { findByTestId, getByTestId } = render(<DevicesScreen phones={[peer("p1", "Shop phone")]} />);
    fireEvent.click(await findByTestId("copy-diagnostics"));
    await waitFor(() => expect(getByTestId("diagnostics-status").textContent).toContain("Copied to the clipboard"));
    expect(writeText).toHaveBeenCalledWith(TEXT);
    expect(getByTestId("diagnostics-status").textContent).toContain("1 phone and the log's last 120 lines");
    expect((getByTestId("diagnostics-text") as HTMLTextAreaElement).value).toBe(TEXT);
    expect(getByTestId("diagnostics-details").hasAttribute("open")).toBe(false);
    expect(api.saveDiagnostics).not.toHaveBeenCalled();
  });

  it("shows the text and saves it to a file when the clipboard fails", async () => {
    clipboard({ writeText: vi.fn(async () => Promise.reject(new Error("not allowed"))) });
    api.saveDiagnostics.mockResolvedValue({ path: "/home/me/Downloads/ringback-diagnostics.txt", count: 3 });
    const { findByTestId, getByTestId } = render(<DevicesScreen phones={[]} />);
    fireEvent.click(await findByTestId("copy-diagnostics"));
    await waitFor(() => expect(getByTestId("diagnostics-status").textContent).toContain("clipboard is not available"));
    expect(getByTestId("diagnostics-details").hasAttribute("open")).toBe(true);
    expect((getByTestId("diagnostics-text") as HTMLTextAreaElement).value).toBe(TEXT);
    fireEvent.click(getByTestId("save-diagnostics"));
    await waitFor(() => expect(getByTestId("diagnostics-status").textContent).toBe("Saved to /home/me/Downloads/ringback-diagnostics.txt"));
  });

  it("says why when the app cannot gather them, and copies nothing", async () => {
    const writeText = vi.fn(async () => undefined);
    clipboard({ writeText });
    api.diagnostics.mockRejectedValue(new AppError({ message: "the diagnostics could not be gathered: busy", field: null }));
    const { findByTestId, findByRole, queryByTestId } = render(<DevicesScreen phones={[]} />);
    fireEvent.click(await findByTestId("copy-diagnostics"));
    expect((await findByRole("alert")).textContent).toContain("could not be gathered");
    expect(writeText).not.toHaveBeenCalled();
    expect(queryByTestId("diagnostics-text")).toBeNull();
  });

  it("hands WebKit a promised clipboard item within the click, and falls back to plain text", async () => {
    const items: unknown[] = [];
    class Item {
      constructor(public parts: Record<string, Promise<Blob>>) {}
    }
    vi.stubGlobal("ClipboardItem", Item);
    const write = vi.fn(async (list: Item[]) => {
      items.push(await list[0].parts["text/plain"].then((b) => b.text()));
    });
    const writeText = vi.fn(async () => undefined);
    clipboard({ write, writeText } as unknown as Clipboard);
    let give: (t: string) => void = () => undefined;
    const later = new Promise<string>((resolve) => (give = resolve));
    const done = copyText(later);
    // Asked at once, before the text is there.
    expect(write).toHaveBeenCalledTimes(1);
    give("the text");
    await done;
    expect(items).toEqual(["the text"]);
    expect(writeText).not.toHaveBeenCalled();
    // An engine that refuses promised items gets the plain call.
    write.mockRejectedValueOnce(new Error("no promises"));
    await copyText(Promise.resolve("again"));
    expect(writeText).toHaveBeenCalledWith("again");
    clipboard(undefined);
    await expect(copyText(Promise.resolve("x"))).rejects.toThrow("no clipboard");
  });
});
