import { fireEvent, render, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { detail, message, row } from "./fixtures";
import { api, resetApi } from "./mockApi";

vi.mock("../api", async (original) => {
  const real = await original<typeof import("../api")>();
  return { ...real, api: (await import("./mockApi")).api };
});

import { Conversation } from "../screens/Conversation";
import { Inbox } from "../screens/Inbox";
import type { AttachmentView_Serialize as AttachmentView } from "../bindings";

beforeEach(() => resetApi(0));

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);
const THUMB_A = "c".repeat(64);

function photo(hash: string, extra: Partial<AttachmentView> = {}): AttachmentView {
  return { kind: "photo", content_type: "image/jpeg", size: 120_000, hash, thumbnail: null, name: null, words: "[photo]", ...extra };
}

function servePhotos() {
  api.attachmentData.mockImplementation(async (_phone: string, hash: string) => ({
    content_type: "image/jpeg",
    data_url: `data:image/jpeg;base64,${hash.slice(0, 4)}`,
  }));
}

describe("Photos in a thread", () => {
  it("shows a photo as a thumbnail (its thumbnail blob when there is one) and the text beside it", async () => {
    servePhotos();
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([
      message(1, { direction: "inbound", status: "received", body: "the leak", attachments: [photo(HASH_A, { thumbnail: THUMB_A })] }),
    ]);
    const { findByTestId, getByText } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const thumb = await findByTestId("thumbnail");
    await waitFor(() => expect(thumb.querySelector("img")?.getAttribute("src")).toBe("data:image/jpeg;base64,cccc"));
    expect(api.attachmentData).toHaveBeenCalledWith("p1", THUMB_A);
    getByText("the leak");
  });

  it("says a picture message is not downloaded yet, and names a group's other recipients", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([
      message(1, {
        direction: "inbound",
        status: "received",
        body: "",
        others: ["(212) 555-0199"],
        attachments: [{ kind: "not_downloaded", content_type: "", size: 0, hash: null, thumbnail: null, name: null, words: "[picture message not downloaded yet]" }],
      }),
    ]);
    const { findByTestId, getByTestId } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    expect((await findByTestId("not-downloaded")).textContent).toContain("not downloaded yet on the phone");
    expect(getByTestId("group-note").textContent).toContain("(212) 555-0199");
  });

  it("opens the viewer on a click: zoom, next and previous over the thread's photos, save as", async () => {
    servePhotos();
    api.saveAttachment.mockResolvedValue({ path: "/home/me/Downloads/leak.jpg" });
    api.conversation.mockResolvedValue(detail());
    // Newest first, as thread() answers: A is the older photo.
    api.thread.mockResolvedValue([
      message(2, { direction: "inbound", status: "received", attachments: [photo(HASH_B)] }),
      message(1, { direction: "inbound", status: "received", attachments: [photo(HASH_A, { name: "leak.jpg" })] }),
    ]);
    const { findAllByTestId, getByTestId, findByTestId, queryByTestId } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const thumbs = await findAllByTestId("thumbnail");
    fireEvent.click(thumbs[0]);
    await findByTestId("photo-viewer");
    expect(getByTestId("viewer-position").textContent).toBe("1 of 2");
    await waitFor(() => expect(getByTestId("viewer-image").getAttribute("src")).toBe("data:image/jpeg;base64,aaaa"));

    fireEvent.click(getByTestId("viewer-zoom-in"));
    expect(getByTestId("viewer-zoom").textContent).toBe("150 %");
    expect((getByTestId("viewer-image") as HTMLImageElement).style.transform).toBe("scale(1.5)");
    fireEvent.click(getByTestId("viewer-zoom-out"));
    fireEvent.click(getByTestId("viewer-zoom-out"));
    expect(getByTestId("viewer-zoom").textContent).toBe("75 %");

    fireEvent.click(getByTestId("viewer-next"));
    expect(getByTestId("viewer-position").textContent).toBe("2 of 2");
    await waitFor(() => expect(getByTestId("viewer-image").getAttribute("src")).toBe("data:image/jpeg;base64,bbbb"));
    expect(getByTestId("viewer-zoom").textContent).toBe("100 %");
    fireEvent.keyDown(getByTestId("photo-viewer"), { key: "ArrowLeft" });
    expect(getByTestId("viewer-position").textContent).toBe("1 of 2");

    fireEvent.click(getByTestId("viewer-save"));
    const name = getByTestId("viewer-save-name") as HTMLInputElement;
    expect(name.value).toBe("leak.jpg");
    fireEvent.input(name, { target: { value: "kitchen leak.jpg" } });
    fireEvent.click(getByTestId("viewer-save-confirm"));
    await waitFor(() => expect(api.saveAttachment).toHaveBeenCalledWith("p1", HASH_A, "kitchen leak.jpg"));
    expect((await findByTestId("viewer-saved")).textContent).toContain("/home/me/Downloads/leak.jpg");

    fireEvent.keyDown(getByTestId("photo-viewer"), { key: "Escape" });
    expect(queryByTestId("photo-viewer")).toBeNull();
  });
});

describe("A photo attached to a reply", () => {
  const prepared = { token: HASH_A, size: 180_000, limit: 307_200, width: 1600, height: 1200, data_url: "data:image/jpeg;base64,AAAA" };

  function pngFile() {
    return new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "leak.png", { type: "image/png" });
  }

  it("is pasted, previewed with its size against the limit, and sent with the text", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([]);
    api.preparePhoto.mockResolvedValue(prepared);
    api.sendReplyWithPhoto.mockResolvedValue(null);
    const { findByTestId, getByTestId, queryByTestId } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const box = (await findByTestId("composer")) as HTMLTextAreaElement;
    fireEvent.paste(box, { clipboardData: { files: [pngFile()], types: ["Files"] } });
    const preview = await findByTestId("attached-photo");
    expect(api.preparePhoto).toHaveBeenCalledWith("p1", expect.stringMatching(/^data:image\/png;base64,/));
    expect(preview.textContent).toContain("176 KB of the 300 KB");
    expect((getByTestId("attached-preview") as HTMLImageElement).src).toContain("data:image/jpeg");
    // A photo alone may be sent.
    expect((getByTestId("send") as HTMLButtonElement).disabled).toBe(false);
    fireEvent.input(box, { target: { value: "Like this one?" } });
    fireEvent.click(getByTestId("send"));
    await waitFor(() => expect(api.sendReplyWithPhoto).toHaveBeenCalledWith({ phone: "p1", id: 1 }, "Like this one?", HASH_A));
    expect(api.sendReply).not.toHaveBeenCalled();
    await waitFor(() => expect(queryByTestId("attached-photo")).toBeNull());
  });

  it("is dropped on the composer, and can be removed before sending", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([]);
    api.preparePhoto.mockResolvedValue(prepared);
    api.sendReply.mockResolvedValue(null);
    const { findByTestId, getByTestId, queryByTestId } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const area = await findByTestId("composer-area");
    fireEvent.drop(area, { dataTransfer: { files: [pngFile()], types: ["Files"] } });
    await findByTestId("attached-photo");
    fireEvent.click(getByTestId("attached-remove"));
    expect(queryByTestId("attached-photo")).toBeNull();
    fireEvent.input(getByTestId("composer"), { target: { value: "Text only" } });
    fireEvent.click(getByTestId("send"));
    await waitFor(() => expect(api.sendReply).toHaveBeenCalledWith({ phone: "p1", id: 1 }, "Text only"));
    expect(api.sendReplyWithPhoto).not.toHaveBeenCalled();
  });

  it("says why a photo could not be attached", async () => {
    api.conversation.mockResolvedValue(detail());
    api.thread.mockResolvedValue([]);
    api.preparePhoto.mockRejectedValue(new Error("This file is not a photo the app can read; attach a JPEG, PNG, GIF or WebP image."));
    const { findByTestId, findByRole } = render(<Conversation convKey={{ phone: "p1", id: 1 }} version={0} />);
    const input = (await findByTestId("attach-input")) as HTMLInputElement;
    fireEvent.change(input, { target: { files: [pngFile()] } });
    expect((await findByRole("alert")).textContent).toContain("not a photo the app can read");
  });
});

describe("The inbox", () => {
  it("shows the preview the app wrote for a photo", async () => {
    api.inboxCount.mockResolvedValue(1);
    api.inboxPage.mockResolvedValue([row(0, { preview: "📷 Photo" })]);
    const { findByText } = render(<Inbox version={0} open={null} onOpen={() => {}} noPhone={false} />);
    await findByText("📷 Photo");
  });
});
