// The window's only door to the app: the generated commands, with errors turned into
// exceptions that carry the app's sentence (and the settings field, when there is one).
import { commands, events } from "./bindings";
import type { ConvKey, AppError_Serialize } from "./bindings";

export type { ConvKey };
export type AppErrorShape = AppError_Serialize;

/** An error from the app: `message` says what to do; `field` names a settings field. */
export class AppError extends Error {
  field: string | null;
  constructor(e: AppErrorShape) {
    super(e.message);
    this.field = e.field ?? null;
  }
}

type Res<T> = { status: "ok"; data: T } | { status: "error"; error: AppErrorShape };

async function unwrap<T>(p: Promise<Res<T>>): Promise<T> {
  let r: Res<T>;
  try {
    r = await p;
  } catch (e) {
    // A failure of the bridge itself (not an answer from a command).
    throw new AppError({ message: `Ringback could not reach its background service (${String(e)}). Restart the app.`, field: null });
  }
  if (r.status === "error") throw new AppError(r.error);
  return r.data;
}

type Commands = typeof commands;
type Unwrapped = {
  [K in keyof Commands]: Commands[K] extends (...args: infer A) => Promise<Res<infer T>>
    ? (...args: A) => Promise<T>
    : never;
};

/** Every command, resolving to its data or throwing an `AppError`. */
export const api: Unwrapped = new Proxy({} as Unwrapped, {
  get(_t, name: string) {
    return (...args: unknown[]) =>
      unwrap((commands as unknown as Record<string, (...a: unknown[]) => Promise<Res<unknown>>>)[name](...args));
  },
});

export { events };

/** What a command resolves to. */
export type Data<K extends keyof Unwrapped> = Awaited<ReturnType<Unwrapped[K]>>;
type Item<T> = T extends (infer U)[] ? U : never;
export type ConversationRow = Item<Data<"inboxPage">>;
export type MessageRow = Item<Data<"thread">>;
export type CallRow = Item<Data<"missedCalls">>;
export type SearchHit = Item<Data<"search">>;
export type ConversationDetail = Data<"conversation">;
export type Settings = Data<"settings">;
export type Devices = Data<"devices">;
export type PeerRow = Item<Data<"overview">["phones"]>;
export type Dashboard = Data<"dashboard">;
export type DryRun = Data<"dryRun">;
export type AssistantKey = Data<"assistantKey">;
export type SegmentInfo = Data<"segments">;
export type AppointmentView = Item<Data<"appointments">>;
export type RefusedReply = Item<Data<"refusedReplies">>;
export type ExportedFile = Data<"exportAppointments">;
export type Diagnostics = Data<"diagnostics">;

/** The message of anything thrown. */
export function messageOf(e: unknown): string {
  if (e instanceof AppError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function sameKey(a: ConvKey | null | undefined, b: ConvKey | null | undefined): boolean {
  return !!a && !!b && a.phone === b.phone && a.id === b.id;
}
