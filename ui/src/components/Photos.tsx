// Photos in a conversation: thumbnails inline in the thread, the viewer (zoom, next and
// previous, save as), and a photo attached to a reply (button, drag and drop, paste),
// previewed as the phone will send it.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf, type ConvKey } from "../api";
import type { AttachmentView, PreparedPhotoView } from "../bindings";

/** A photo the viewer can show: the phone it is on and its attachment. */
export type ShownPhoto = { phone: string; attachment: AttachmentView };

/** Bytes already fetched, by phone and hash, so scrolling back does not ask again. */
const loaded = new Map<string, string>();
const LOADED_MAX = 200;

function useDataUrl(phone: string, hash: string | null): { url: string | null; error: string | null } {
  const cacheKey = hash ? `${phone}/${hash}` : "";
  const [url, setUrl] = useState<string | null>(hash ? loaded.get(cacheKey) ?? null : null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!hash) return;
    const cached = loaded.get(cacheKey);
    if (cached) {
      setUrl(cached);
      return;
    }
    let live = true;
    setUrl(null);
    setError(null);
    api
      .attachmentData(phone, hash)
      .then((d) => {
        if (loaded.size >= LOADED_MAX) loaded.delete(loaded.keys().next().value as string);
        loaded.set(cacheKey, d.data_url);
        if (live) setUrl(d.data_url);
      })
      .catch((e) => live && setError(messageOf(e)));
    return () => {
      live = false;
    };
  }, [cacheKey]);
  return { url, error };
}

/** Size in words: "183 KB". */
export function sizeWords(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** A message's attachments in the thread. */
export function Attachments(props: { convKey: ConvKey; attachments: AttachmentView[]; onOpen: (a: AttachmentView) => void }) {
  return (
    <div class="attachments" data-testid="attachments">
      {props.attachments.map((a, i) =>
        a.kind === "photo" && a.hash ? (
          <Thumbnail key={i} phone={props.convKey.phone} attachment={a} onOpen={() => props.onOpen(a)} />
        ) : a.kind === "not_downloaded" ? (
          <p key={i} class="attachment-note" data-testid="not-downloaded">
            📷 Picture message — not downloaded yet on the phone
          </p>
        ) : (
          <OtherAttachment key={i} phone={props.convKey.phone} attachment={a} />
        ),
      )}
    </div>
  );
}

function Thumbnail(props: { phone: string; attachment: AttachmentView; onOpen: () => void }) {
  const a = props.attachment;
  const { url, error } = useDataUrl(props.phone, a.thumbnail ?? a.hash ?? null);
  return (
    <button type="button" class="thumb" data-testid="thumbnail" data-hash={a.hash ?? ""} title="Open the photo" onClick={props.onOpen}>
      {url ? <img src={url} alt={a.name ? `Photo ${a.name}` : "Photo"} /> : <span class="thumb-wait">{error ? "📷 Photo not here yet" : "📷 Photo"}</span>}
    </button>
  );
}

function OtherAttachment(props: { phone: string; attachment: AttachmentView }) {
  const a = props.attachment;
  const [words, setWords] = useState<string | null>(null);
  return (
    <p class="attachment-note" data-testid="attachment-other">
      <span>
        {a.words} {a.name ?? ""} ({sizeWords(a.size)})
      </span>
      {a.hash && (
        <button
          type="button"
          class="linkbtn"
          onClick={() =>
            api
              .saveAttachment(props.phone, a.hash as string, a.name ?? "attachment")
              .then((f) => setWords(`Saved to ${f.path}`))
              .catch((e) => setWords(messageOf(e)))
          }
        >
          Save
        </button>
      )}
      {words && <span class="hint">{words}</span>}
    </p>
  );
}

const ZOOMS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];

/** The viewer: one photo large, zoom, previous and next among the thread's photos, save as. */
export function PhotoViewer(props: { photos: ShownPhoto[]; index: number; onClose: () => void }) {
  const [index, setIndex] = useState(props.index);
  const [zoom, setZoom] = useState(3); // index into ZOOMS: 1×
  const [saveName, setSaveName] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const shown = props.photos[Math.min(index, props.photos.length - 1)];
  const { url, error } = useDataUrl(shown?.phone ?? "", shown?.attachment.hash ?? null);
  const count = props.photos.length;
  const go = (step: number) => {
    setIndex((i) => (i + step + count) % count);
    setZoom(3);
    setSaveName(null);
    setSaved(null);
  };
  const zoomBy = (step: number) => setZoom((z) => Math.min(ZOOMS.length - 1, Math.max(0, z + step)));
  useEffect(() => dialog.current?.focus(), []);
  if (!shown) return null;
  const suggested = shown.attachment.name ?? `photo-${(shown.attachment.hash ?? "").slice(0, 8)}.jpg`;
  const save = () => {
    api
      .saveAttachment(shown.phone, shown.attachment.hash as string, saveName ?? suggested)
      .then((f) => {
        setSaved(`Saved to ${f.path}`);
        setSaveName(null);
      })
      .catch((e) => setSaved(messageOf(e)));
  };
  return (
    <div
      class="viewer"
      role="dialog"
      aria-modal="true"
      aria-label="Photo"
      data-testid="photo-viewer"
      tabIndex={-1}
      ref={dialog}
      onKeyDown={(e) => {
        if (saveName !== null) return; // typing a name
        if (e.key === "Escape") props.onClose();
        else if (e.key === "ArrowRight") go(1);
        else if (e.key === "ArrowLeft") go(-1);
        else if (e.key === "+" || e.key === "=") zoomBy(1);
        else if (e.key === "-") zoomBy(-1);
      }}
    >
      <div class="viewer-bar">
        <span data-testid="viewer-position">
          {index + 1} of {count}
        </span>
        <button type="button" class="btn small" data-testid="viewer-previous" disabled={count < 2} onClick={() => go(-1)}>
          ← Previous
        </button>
        <button type="button" class="btn small" data-testid="viewer-next" disabled={count < 2} onClick={() => go(1)}>
          Next →
        </button>
        <button type="button" class="btn small" data-testid="viewer-zoom-out" disabled={zoom === 0} onClick={() => zoomBy(-1)} aria-label="Zoom out">
          −
        </button>
        <span data-testid="viewer-zoom">{Math.round(ZOOMS[zoom] * 100)} %</span>
        <button type="button" class="btn small" data-testid="viewer-zoom-in" disabled={zoom === ZOOMS.length - 1} onClick={() => zoomBy(1)} aria-label="Zoom in">
          +
        </button>
        <button type="button" class="btn small" data-testid="viewer-save" onClick={() => setSaveName(suggested)}>
          Save as…
        </button>
        <button type="button" class="btn small" data-testid="viewer-close" onClick={props.onClose}>
          Close
        </button>
      </div>
      {saveName !== null && (
        <form
          class="viewer-save"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <label for="viewer-save-name">Save in Downloads as</label>
          <input id="viewer-save-name" data-testid="viewer-save-name" value={saveName} onInput={(e) => setSaveName((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="btn small primary" data-testid="viewer-save-confirm">
            Save
          </button>
          <button type="button" class="btn small" onClick={() => setSaveName(null)}>
            Cancel
          </button>
        </form>
      )}
      {saved && (
        <p class="hint" role="status" data-testid="viewer-saved">
          {saved}
        </p>
      )}
      <div
        class="viewer-stage"
        onWheel={(e) => {
          if (!e.ctrlKey) return;
          e.preventDefault();
          zoomBy(e.deltaY < 0 ? 1 : -1);
        }}
      >
        {url ? (
          <img data-testid="viewer-image" src={url} alt={shown.attachment.name ?? "Photo"} style={{ transform: `scale(${ZOOMS[zoom]})` }} />
        ) : (
          <p class="empty center">{error ?? "Loading…"}</p>
        )}
      </div>
    </div>
  );
}

/** Reads a file the person chose, dropped or pasted as a `data:` URL. */
function readFile(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error("The file could not be read; choose it again."));
    reader.readAsDataURL(file);
  });
}

/** The first picture among files (dropped or pasted). */
export function firstImage(files: FileList | File[] | null | undefined): File | null {
  if (!files) return null;
  for (const f of Array.from(files)) if (f.type.startsWith("image/")) return f;
  return null;
}

/** The photo attached to a reply: made ready by the app, previewed here. */
export function useAttachedPhoto(phone: string) {
  const [photo, setPhoto] = useState<PreparedPhotoView | null>(null);
  const [preparing, setPreparing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const attach = (file: File | null) => {
    if (!file) {
      setError("That is not a photo; attach a JPEG, PNG, GIF or WebP image.");
      return;
    }
    setPreparing(true);
    setError(null);
    readFile(file)
      .then((data) => api.preparePhoto(phone, data))
      .then(setPhoto)
      .catch((e) => setError(messageOf(e)))
      .finally(() => setPreparing(false));
  };
  return { photo, preparing, error, attach, clear: () => setPhoto(null), setError };
}

/** The preview of the attached photo, as it will be sent. */
export function AttachedPhoto(props: { photo: PreparedPhotoView; onRemove: () => void }) {
  const p = props.photo;
  return (
    <div class="attached" data-testid="attached-photo" data-size={p.size}>
      <img src={p.data_url} alt="The photo to send" data-testid="attached-preview" />
      <span class="hint">
        {p.width}×{p.height}, {sizeWords(p.size)} of the {sizeWords(p.limit)} the carrier takes
      </span>
      <button type="button" class="btn small" data-testid="attached-remove" onClick={props.onRemove}>
        Remove
      </button>
    </div>
  );
}

/** The button that opens the file chooser for a photo. */
export function AttachButton(props: { disabled: boolean; onFile: (f: File | null) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        accept="image/*"
        class="sr-only"
        data-testid="attach-input"
        tabIndex={-1}
        onChange={(e) => {
          const el = e.currentTarget as HTMLInputElement;
          props.onFile(firstImage(el.files));
          el.value = "";
        }}
      />
      <button type="button" class="btn" data-testid="attach-photo" disabled={props.disabled} onClick={() => input.current?.click()}>
        📷 Photo
      </button>
    </>
  );
}
