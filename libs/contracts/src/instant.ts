import { z } from 'zod';

const offsetOf = /(?:([+-])(\d{2}):?(\d{2}))$/;
const firstInstant = Date.parse('0001-01-01T00:00:00.000Z');
// Not .999: JavaScript reads "23:59:59.9999995" as .999, and PostgreSQL rounds it to microseconds, into the year 10000.
const lastInstant = Date.parse('9999-12-31T23:59:59.998Z');

/**
 * Whether an ISO-8601 time names an instant every store can keep: its offset within ±14:00 (the
 * widest in use; PostgreSQL refuses more than 15 hours) and its UTC time within the years 0001–9999
 * (PostgreSQL has no year 0, and toISOString writes later years in a form nothing parses back).
 * The one bound of every time Homeline takes in, in the contracts and at the HTTP edges.
 */
export const isStorableInstant = (iso: string): boolean => {
  const offset = offsetOf.exec(iso);
  if (offset && Number(offset[2]) * 60 + Number(offset[3]) > 14 * 60) return false;
  const ms = Date.parse(iso);
  return ms >= firstInstant && ms <= lastInstant;
};

/** An ISO-8601 time with an offset (or Z) that names a storable instant: every time the contracts carry. */
export const isoInstant = (error = 'expected an ISO-8601 time with an offset, in the years 0001–9999, its offset within ±14:00') =>
  z.iso.datetime({ offset: true, error }).refine(isStorableInstant, { error });
