// Where a settings error shows. The errors come from the app (core's `SettingsError`s:
// a sentence and the dotted path of the field, `text_back.delay_seconds`,
// `business_hours.mon[0]`); the form holds no rules of its own. Each section owns some of
// the document's top-level keys; within a section, each field takes the errors of its
// path as it is drawn, and the section lists what no field took.
import type { AppErrorShape } from "../../api";

/** The document's top-level key a field path is under (`text_back` for `text_back.delay_seconds`). */
export function topKey(field: string): string {
  return field.split(/[.[]/)[0];
}

/** Whether `field` is `path` itself or under it (`path.x`, `path[0]`). */
export function isWithin(field: string, path: string): boolean {
  return field === path || isInside(field, path);
}

/** Whether `field` is strictly under `path`. */
export function isInside(field: string, path: string): boolean {
  return field.startsWith(`${path}.`) || field.startsWith(`${path}[`);
}

/**
 * The errors of one section, handed out as its fields are drawn: each error goes to the
 * first field that takes it, and `rest()` is what none took (shown at the section's top).
 */
export class Spots {
  private left: AppErrorShape[];

  constructor(errors: AppErrorShape[]) {
    this.left = [...errors];
  }

  private take(matches: (field: string) => boolean): AppErrorShape[] {
    const mine = this.left.filter((e) => e.field !== null && matches(e.field));
    this.left = this.left.filter((e) => !mine.includes(e));
    return mine;
  }

  /** Errors about exactly `path`. */
  at(path: string): AppErrorShape[] {
    return this.take((f) => f === path);
  }

  /** Errors about `path` or anything under it. */
  within(path: string): AppErrorShape[] {
    return this.take((f) => isWithin(f, path));
  }

  /** Errors about something under `path` (an entry of a list, `path[2]`). */
  inside(path: string): AppErrorShape[] {
    return this.take((f) => isInside(f, path));
  }

  /** The errors no field took. */
  rest(): AppErrorShape[] {
    const rest = this.left;
    this.left = [];
    return rest;
  }
}

/**
 * Splits the errors among sections by the top-level keys each owns; an error with no field,
 * or one under a key no section owns, goes to the summary at the top.
 */
export function bySection<K extends string>(errors: AppErrorShape[], owners: Record<K, readonly string[]>): { sections: Record<K, AppErrorShape[]>; summary: AppErrorShape[] } {
  const sections = Object.fromEntries(Object.keys(owners).map((k) => [k, [] as AppErrorShape[]])) as Record<K, AppErrorShape[]>;
  const summary: AppErrorShape[] = [];
  for (const e of errors) {
    const key = e.field ? topKey(e.field) : null;
    const owner = key === null ? undefined : (Object.keys(owners) as K[]).find((k) => owners[k].includes(key));
    if (owner === undefined) summary.push(e);
    else sections[owner].push(e);
  }
  return { sections, summary };
}
