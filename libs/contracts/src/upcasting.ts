/**
 * Versioning: when an event's shape changes, the new shape gets a new type name beside the old
 * one (`CallEnded` -> `CallEnded.v2`) and an upcaster that turns the old data into the new. Old
 * events stay in stores and topics as they were written; readers upcast on the way in, so
 * consumers only ever handle the newest version.
 */
export interface Upcaster {
  readonly from: string;
  readonly to: string;
  readonly up: (data: Record<string, unknown>) => Record<string, unknown>;
}

export const versionedType = (base: string, version: number): string => (version <= 1 ? base : `${base}.v${version}`);

/** Applies upcasters until none matches; a loop in the chain is a programming error. */
export const upcast = <E extends { readonly type: string; readonly data: Record<string, unknown> }>(
  envelope: E,
  upcasters: readonly Upcaster[],
): E => {
  const byFrom = new Map(upcasters.map((u) => [u.from, u]));
  let current = envelope;
  for (let steps = 0; ; steps++) {
    const next = byFrom.get(current.type);
    if (!next) return current;
    if (steps >= upcasters.length) throw new Error(`upcaster loop at ${current.type}`);
    current = { ...current, type: next.to, data: next.up(current.data) };
  }
};

/** Production upcasters. Empty until a first event shape changes (see upcasting.spec.ts for one). */
export const upcasters: readonly Upcaster[] = [];
