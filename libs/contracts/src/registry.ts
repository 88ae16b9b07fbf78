import { z } from 'zod';
import { callsEventSchemas } from './calls.events';
import { envelopeSchema, type Envelope, type ServiceName } from './envelope';
import { identityEventSchemas } from './identity.events';
import { routingEventSchemas } from './routing.events';
import { upcast, upcasters as registeredUpcasters, type Upcaster } from './upcasting';

/** Every integration event type, mapped to the runtime schema of its data. */
export const eventSchemas = { ...callsEventSchemas, ...identityEventSchemas, ...routingEventSchemas } as const;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;
/** An envelope whose `type` narrows `data`: switch on `event.type`. */
export type IntegrationEvent<T extends EventType = EventType> = { [K in T]: Envelope<K, EventData<K>> }[T];

const sourceOf = (schemas: object, source: ServiceName) =>
  Object.fromEntries(Object.keys(schemas).map((type) => [type, source])) as Record<string, ServiceName>;

/** The one service allowed to publish each type (and so the topic it travels on). */
export const eventSource: Readonly<Record<EventType, ServiceName>> = {
  ...sourceOf(callsEventSchemas, 'calls'),
  ...sourceOf(identityEventSchemas, 'identity'),
  ...sourceOf(routingEventSchemas, 'routing'),
} as Record<EventType, ServiceName>;

export const isEventType = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

/** A type this system knows: a current one, or an older one an upcaster still reads. */
export const isKnownEventType = (type: string): boolean =>
  isEventType(type) || registeredUpcasters.some((u) => u.from === type);

/** The type an event of `type` is read as, after upcasting (`CallEnded` -> `CallEnded.v2`). */
export const latestEventType = (type: string, upcasters: readonly Upcaster[] = registeredUpcasters): string => {
  for (let steps = 0; steps <= upcasters.length; steps++) {
    const next = upcasters.find((u) => u.from === type);
    if (!next) return type;
    type = next.to;
  }
  throw new Error(`upcaster loop at ${type}`);
};

export type ParseResult<E> = { readonly ok: true; readonly event: E } | { readonly ok: false; readonly reason: string };

/** Thrown by `parseEvent`; `code` is stable, `reason` says what was wrong (for the DLQ header). */
export class InvalidEventError extends Error {
  readonly code = 'invalid_event';
  constructor(readonly reason: string) {
    super(`invalid event: ${reason}`);
  }
}

const describe = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** A parser over any schema table and upcaster chain; `parseEvent` is the one for this system. */
export const createEventParser = <S extends Record<string, z.ZodType<Record<string, unknown>>>>(
  schemas: S,
  upcasters: readonly Upcaster[],
  sources?: Readonly<Record<string, ServiceName>>,
) => {
  type Parsed = { [K in keyof S & string]: Envelope<K, z.infer<S[K]>> }[keyof S & string];
  const safeParse = (raw: unknown): ParseResult<Parsed> => {
    const envelope = envelopeSchema.safeParse(raw);
    if (!envelope.success) return { ok: false, reason: `envelope: ${describe(envelope.error)}` };
    const latest = upcast(envelope.data, upcasters);
    const schema = Object.hasOwn(schemas, latest.type) ? schemas[latest.type] : undefined;
    if (!schema) return { ok: false, reason: `unknown event type ${latest.type}` };
    // Only the owning service publishes a type: a CallRouting "from identity" is forged or broken.
    const owner = sources?.[latest.type];
    if (owner && owner !== latest.source) return { ok: false, reason: `${latest.type} is published by ${owner}, not ${latest.source}` };
    const data = schema.safeParse(latest.data);
    if (!data.success) return { ok: false, reason: `${latest.type}: ${describe(data.error)}` };
    return { ok: true, event: { ...latest, data: data.data } as Parsed };
  };
  const parse = (raw: unknown): Parsed => {
    const result = safeParse(raw);
    if (!result.ok) throw new InvalidEventError(result.reason);
    return result.event;
  };
  return { parse, safeParse };
};

const parser = createEventParser(eventSchemas, registeredUpcasters, eventSource);

/** Validates envelope, upcasts to the newest version, validates data; throws InvalidEventError. */
export const parseEvent = (raw: unknown): IntegrationEvent => parser.parse(raw) as IntegrationEvent;
/** Same as parseEvent, returning the reason instead of throwing (for consumers that dead-letter). */
export const safeParseEvent = (raw: unknown): ParseResult<IntegrationEvent> =>
  parser.safeParse(raw) as ParseResult<IntegrationEvent>;

/** Validates one event's data against its schema, e.g. before appending it. */
export const validateEventData = <T extends EventType>(type: T, data: unknown): EventData<T> =>
  eventSchemas[type].parse(data) as EventData<T>;
