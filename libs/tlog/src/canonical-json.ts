import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON. The reference is the RFC co-author's `canonicalize` (its last
 * CommonJS release). RFC 8785 serialises numbers and strings exactly as ECMAScript's
 * JSON.stringify does and only adds the key order (UTF-16 code units) and I-JSON's limits, so a
 * value whose keys are re-inserted in that order is serialised by the native JSON.stringify, many
 * times faster; a value with integer-like keys (which JavaScript objects always put first, in
 * numeric order) goes to the library. Property tests hold the two to the same output.
 *
 * That release of the library escapes a lone surrogate instead of refusing it; I-JSON (RFC 7493),
 * which RFC 8785 requires, forbids them, so they are refused here.
 */
export const canonicalJson = (value: unknown): string => {
  const sorted = sortedCopy(value, '$');
  if (sorted !== NEEDS_LIBRARY) return JSON.stringify(sorted);
  // The fast path stops at the first index-like key, before the rest is checked: check it all here.
  refuseLoneSurrogates(value, '$');
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
};

/** The leaf bytes of an entry: UTF-8 of its canonical JSON (docs/architecture.md section 7). */
export const canonicalBytes = (value: unknown): Buffer => Buffer.from(canonicalJson(value), 'utf8');

const NEEDS_LIBRARY = Symbol('needs the library');
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Throws at the first string or key holding a lone surrogate, anywhere in a JSON-like value. */
const refuseLoneSurrogates = (value: unknown, path: string): void => {
  if (typeof value === 'string') {
    if (!isWellFormed(value)) throw new TypeError(`${path} holds a lone surrogate, which I-JSON forbids`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => refuseLoneSurrogates(item, `${path}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!isWellFormed(key)) throw new TypeError(`${path} has a key with a lone surrogate`);
      refuseLoneSurrogates(item, `${path}.${key}`);
    }
  }
};

/** A copy with every object's keys in RFC 8785 order; NEEDS_LIBRARY when JavaScript could not keep that order. */
const sortedCopy = (value: unknown, path: string): unknown => {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new TypeError(`${path} holds a lone surrogate, which I-JSON forbids`);
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which JSON cannot hold`);
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
          const item = sortedCopy(value[i] === undefined ? null : value[i], `${path}[${i}]`);
          if (item === NEEDS_LIBRARY) return NEEDS_LIBRARY;
          items.push(item);
        }
        return items;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return NEEDS_LIBRARY;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) {
        // An index-like key would be reordered by JavaScript; `__proto__` cannot be set as an own key by assignment.
        if (INDEX_KEY.test(key) || key === '__proto__') return NEEDS_LIBRARY;
        if (!isWellFormed(key)) throw new TypeError(`${path} has a key with a lone surrogate`);
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        const copy = sortedCopy(item, `${path}.${key}`);
        if (copy === NEEDS_LIBRARY) return NEEDS_LIBRARY;
        out[key] = copy;
      }
      return out;
    }
    default:
      return NEEDS_LIBRARY;
  }
};
