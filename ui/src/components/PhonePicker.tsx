import type { PeerRow } from "../api";

/** What a screen that acts on one phone is given: the paired phones, the one chosen, and a way to choose. */
export type PhoneChoice = {
  phones: PeerRow[];
  /** The chosen phone's endpoint id; null while none is (no phone, or several and none picked yet). */
  phone: string | null;
  onChoosePhone: (endpoint: string) => void;
};

const REMEMBERED = "ringback.phone";

/** The phone last chosen in this window, if any. */
export function rememberedPhone(): string | null {
  try {
    return window.localStorage.getItem(REMEMBERED);
  } catch {
    return null;
  }
}

/** Keeps the choice for the next start. */
export function rememberPhone(endpoint: string) {
  try {
    window.localStorage.setItem(REMEMBERED, endpoint);
  } catch {
    // A window without storage asks again next time.
  }
}

/**
 * The phone screens act on: the one chosen while it is still paired, the only one when
 * one is paired, and otherwise none: with several phones the person picks one (never the
 * first in some order, which a planted phone could be).
 */
export function chosenPhone(phones: PeerRow[], chosen: string | null): string | null {
  if (chosen && phones.some((p) => p.endpoint === chosen)) return chosen;
  return phones.length === 1 ? phones[0].endpoint : null;
}

/** A phone's name with its fingerprint, which tells apart phones with the same name. */
export function phoneLabel(p: PeerRow): string {
  return p.fingerprint ? `${p.name} (${p.fingerprint})` : p.name;
}

/** Names the phone a screen acts on; a chooser when several are paired. */
export function PhonePicker(props: PhoneChoice & { what: string }) {
  const { phones, phone } = props;
  if (phones.length === 0) return null;
  if (phones.length === 1) {
    return (
      <p class="phone-choice" data-testid="phone-name">
        {props.what} <strong>{phones[0].name}</strong> <span class="muted">({phones[0].fingerprint})</span>
      </p>
    );
  }
  return (
    <p class="phone-choice">
      <label>
        {props.what}{" "}
        <select data-testid="phone-picker" value={phone ?? ""} onChange={(e) => props.onChoosePhone((e.currentTarget as HTMLSelectElement).value)}>
          {phone === null && (
            <option value="" disabled>
              Choose a phone
            </option>
          )}
          {phones.map((p) => (
            <option key={p.endpoint} value={p.endpoint}>
              {phoneLabel(p)}
            </option>
          ))}
        </select>
      </label>
    </p>
  );
}

/** The chosen phone's name, for sentences. */
export function phoneName(phones: PeerRow[], phone: string | null): string {
  return phones.find((p) => p.endpoint === phone)?.name ?? "the phone";
}
