import { gzipSync } from 'node:zlib';

/** A seeded PRNG (mulberry32): the same seed gives the same cases, so a failure can be replayed. */
export type Random = () => number;

export const seededRandom = (seed: number): Random => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** A seed for one case of one route, independent of every other case. */
export const caseSeed = (seed: number, route: string, index: number): number => {
  let hash = seed ^ 0x9e3779b9;
  for (const char of `${route}#${index}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
};

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const deep = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

/** An object with an own `__proto__` (a literal would set the prototype instead), as JSON.parse makes one. */
export const withOwnKey = (key: string, value: unknown): Record<string, unknown> => {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
};

/** Strings PostgreSQL, a parser or a phone-number library may choke on, and text people really type. */
export const oddStrings: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83dy', '\u202eevil.exe\u202c', 'مرحبا \u200f', '😀'.repeat(500), '👩‍👩‍👧‍👦',
  'e\u0301', '\u200b', '\ufeff', 'Ａｌｅｘ', '９１１', '911#', '𝟗𝟏𝟏', '+1 976 555 0100', '+999999999999999999999', 'null', 'undefined',
  '__proto__', 'constructor', 'prototype', "'; DROP TABLE accounts; --", '%00', '../../etc/passwd', '${jndi:ldap://x}', '<script>x</script>',
  'a'.repeat(10_000), '9'.repeat(400), '-1', '1e308', 'NaN', 'Infinity', '2026-13-45T25:61:61Z', '0000-00-00T00:00:00Z', '\n\r\t', 'ZZ', 'Mars/Olympus',
  '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '1969-12-31T23:59:59-23:59', '2026-02-29T00:00:00Z', '4714-11-24T00:00:00Z',
];

export const oddNumbers: readonly number[] = [0, -0, -1, 1.5, 1e308, -1e308, 5e-324, 2 ** 53 + 2, 2 ** 64, 2 ** 31, -(2 ** 63), 1e21];

const oddOthers = (): unknown[] => [
  null, true, false, [], {}, [[[]]], Array(5_000).fill(0.1), Array(300).fill('x'.repeat(100)), deep(2_000),
  withOwnKey('__proto__', { polluted: true }), { constructor: { prototype: { polluted: true } } }, { prototype: { polluted: true } },
];

export const oddValue = (random: Random): unknown => {
  const kind = random();
  if (kind < 0.5) return pick(random, oddStrings);
  if (kind < 0.75) return pick(random, oddNumbers);
  return pick(random, oddOthers());
};

/** A plausible value for a JSON schema (zod's), so that mutations start from something the route accepts. */
export function exampleOf(schema: JsonSchema | undefined, random: Random): unknown {
  if (!schema) return {};
  if (schema.enum?.length) return pick(random, schema.enum);
  if (schema.const !== undefined) return schema.const;
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return exampleOf(pick(random, union), random);
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, exampleOf(property, random)]));
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 1, 1) }, () => exampleOf(schema.items, random));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      return schema.format === 'date-time' ? new Date().toISOString() : 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    default:
      return null;
  }
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minItems?: number;
  minLength?: number;
  minimum?: number;
  format?: string;
  required?: string[];
}

/** Half the time an odd value of the same kind (a number for a number, an instant for an instant): it gets past type checks to the rules. */
const replacementFor = (current: unknown, random: Random): unknown => {
  if (random() < 0.5) return oddValue(random);
  if (typeof current === 'number') return pick(random, oddNumbers);
  if (typeof current === 'string') return /^\d{4}-\d\d-\d\dT/.test(current) ? pick(random, oddDatetimes) : pick(random, oddStrings);
  return oddValue(random);
};

/** One to three random changes anywhere in a JSON value: a field replaced, dropped, or added (prototype keys among them). */
export function mutate(value: unknown, random: Random): unknown {
  const copy: unknown = value === undefined ? {} : structuredClone(value);
  let root = copy;
  for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
    const containers = containersIn(root);
    const target = containers.length > 0 ? pick(random, containers) : undefined;
    const choice = random();
    if (!target || choice < 0.05) {
      root = oddValue(random);
    } else if (Array.isArray(target)) {
      const at = Math.floor(random() * target.length);
      if (choice < 0.6 && target.length > 0) target[at] = replacementFor(target[at], random);
      else target.push(oddValue(random));
    } else {
      const keys = Object.keys(target);
      const key = keys.length > 0 ? pick(random, keys) : '';
      if (choice < 0.6 && keys.length > 0) target[key] = replacementFor(target[key], random);
      else if (choice < 0.75 && keys.length > 0) delete target[key];
      else Object.assign(target, withOwnKey(pick(random, ['__proto__', 'constructor', 'prototype', 'x'.repeat(500), '\u0000', '\ud800', 'toString']), oddValue(random)));
    }
  }
  return root;
}

function containersIn(value: unknown, found: Array<Record<string, unknown> | unknown[]> = [], depth = 0): Array<Record<string, unknown> | unknown[]> {
  if (depth > 20 || value === null || typeof value !== 'object') return found;
  found.push(value as Record<string, unknown> | unknown[]);
  for (const child of Object.values(value)) containersIn(child, found, depth + 1);
  return found;
}

export interface RawBody {
  readonly name: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

const json = { 'content-type': 'application/json' };

/** Bodies no schema describes: broken JSON, wrong types of content, encodings, sizes, bytes that are not UTF-8. */
export const rawBodies = (valid: string): RawBody[] => [
  { name: 'empty', body: Buffer.alloc(0), headers: json },
  { name: 'truncated JSON', body: Buffer.from(valid.slice(0, Math.max(1, valid.length >> 1))), headers: json },
  { name: 'two JSON documents', body: Buffer.from(`${valid}${valid}`), headers: json },
  { name: 'JSON null', body: Buffer.from('null'), headers: json },
  { name: 'JSON string', body: Buffer.from('"hello"'), headers: json },
  { name: 'a number beyond double', body: Buffer.from('1e999'), headers: json },
  { name: 'over the size limit', body: Buffer.from(JSON.stringify({ pad: 'x'.repeat(300_000) })), headers: json },
  { name: 'nested 50 000 deep', body: Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`), headers: json },
  { name: 'invalid UTF-8 in a string', body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}')]), headers: json },
  { name: 'a surrogate encoded in UTF-8', body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), headers: json },
  { name: 'a byte order mark', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]), headers: json },
  { name: 'gzip', body: gzipSync(valid), headers: { ...json, 'content-encoding': 'gzip' } },
  { name: 'gzip that is not gzip', body: Buffer.from(valid), headers: { ...json, 'content-encoding': 'gzip' } },
  { name: 'deflate that is not deflate', body: Buffer.from('garbage'), headers: { ...json, 'content-encoding': 'deflate' } },
  { name: 'brotli that is not brotli', body: Buffer.from('garbage'), headers: { ...json, 'content-encoding': 'br' } },
  { name: 'an unknown encoding', body: Buffer.from(valid), headers: { ...json, 'content-encoding': 'x-homeline' } },
  { name: 'a gzip bomb', body: gzipSync(Buffer.alloc(20_000_000, 0x20)), headers: { ...json, 'content-encoding': 'gzip' } },
  { name: 'UTF-16', body: Buffer.from(valid, 'utf16le'), headers: { 'content-type': 'application/json; charset=utf-16' } },
  { name: 'an unknown charset', body: Buffer.from(valid), headers: { 'content-type': 'application/json; charset=x-klingon' } },
  { name: 'text/plain', body: Buffer.from(valid), headers: { 'content-type': 'text/plain' } },
  { name: 'a form', body: Buffer.from('a=1&b[c]=2&__proto__[x]=1'), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  { name: 'no content type', body: Buffer.from(valid), headers: {} },
];

/** encodeURIComponent, with a lone surrogate sent as U+FFFD (as UTF-8 on the wire has it) rather than thrown on. */
export const percentEncode = (text: string): string => encodeURIComponent(text.replace(/\p{Cs}/gu, '\ufffd'));

/** Path parameter values, as they go in the URL: some encoded by us, some raw escapes a client could send. */
export const oddPathValues = (random: Random): string => {
  const raw = ['%00', '%ED%A0%80', '%FF', '%E2%80%AE', '%2e%2e%2f', '%', '%zz', '..'];
  if (random() < 0.25) return pick(random, raw);
  const values = [
    '__proto__', 'constructor', 'prototype', 'toString', '0', '-1', '1e308', '9'.repeat(40), 'NaN', 'null', 'true', '😀', 'a'.repeat(3000), ' ',
    '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '00000000-0000-4000-8000-000000000000', "' OR 1=1 --", 'Ａ', '\u202e',
  ];
  return percentEncode(pick(random, values));
};

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

/** Instants a date library takes and PostgreSQL may not: year 0, offsets past 15:59, far years, leap days. */
export const oddDatetimes: readonly string[] = [
  '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+23:59', '1969-12-31T23:59:59-23:59', '9999-12-31T23:59:59.999999999Z', '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00.0000000001+14:00', '2026-01-01',
];

export interface QueryParameter {
  readonly name: string;
  readonly schema?: JsonSchema;
}

/** Query strings: documented parameters with values their schema takes and odd ones among them, likely others, repeated and bracketed names. */
export const oddQuery = (random: Random, documented: readonly QueryParameter[]): string => {
  const generic = ['limit', 'cursor', 'from', 'to', 'type', '__proto__', 'a[b]', 'constructor[prototype][x]'].map((name) => ({ name }));
  const parts: string[] = [];
  for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
    const parameter: QueryParameter = documented.length > 0 && random() < 0.8 ? pick(random, documented) : pick(random, generic);
    const choice = random();
    const odd = parameter.schema?.format === 'date-time' && choice < 0.75 ? pick(random, oddDatetimes) : asText(oddValue(random)).slice(0, 2_000);
    const value =
      choice < 0.1 ? pick(random, ['%00', '%ED%A0%80', '%FF'])
      : parameter.schema && random() < 0.5 ? percentEncode(asText(exampleOf(parameter.schema, random)))
      : percentEncode(odd);
    parts.push(`${percentEncode(parameter.name)}=${value}`);
    if (random() < 0.15) parts.push(`${percentEncode(parameter.name)}=${value}`);
  }
  return parts.join('&');
};
