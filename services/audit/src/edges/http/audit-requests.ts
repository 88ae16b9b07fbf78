import { isStorableInstant } from '@homeline/contracts';
import { z } from 'zod';

/** A non-negative index or tree size in a query string: digits only, within the safe integer range. */
const count = (name: string) =>
  z.string({ error: `${name} is required` })
    .regex(/^(0|[1-9][0-9]{0,15})$/, `${name} is a whole number`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${name} is too large`);

const id = z.string().min(1).max(200);

/**
 * An ISO-8601 time with an offset, as the UTC instant it names. PostgreSQL's timestamptz has no
 * year 0 and no offset past 15:59, both of which the ISO form allows: handed on in UTC and within
 * the years 1 to 9999, the instant is one it takes.
 */
const instant = (name: string) =>
  z.iso.datetime({ offset: true })
    .transform((text) => Date.parse(text))
    .refine((t) => isStorableInstant(new Date(t).toISOString()), `${name} is outside the years 1 to 9999 (UTC)`)
    .transform((t) => new Date(t).toISOString());

/** GET /v1/audit/entries (docs/architecture.md section 6): filters, and `cursor` = the index the previous page ended at. */
export const entriesQuerySchema = z.object({
  callId: id.optional(),
  accountId: id.optional(),
  memberId: id.optional(),
  deviceId: id.optional(),
  type: id.optional(),
  from: instant('from').optional(),
  to: instant('to').optional(),
  cursor: count('cursor').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
}).strict();
export type EntriesQuery = z.infer<typeof entriesQuerySchema>;

/** The checkpoint and the self-check take no parameter: `?treeSize=5` there would silently answer the latest. */
export const noQuerySchema = z.object({}).strict();
export const proofParamsSchema = z.object({ index: count('index') });
export const proofQuerySchema = z.object({ treeSize: count('treeSize') }).strict();
export const consistencyQuerySchema = z.object({ from: count('from'), to: count('to') }).strict();
/** `from` inclusive, `to` exclusive (a tree size); defaults: the whole log at its latest checkpoint. */
export const exportQuerySchema = z.object({ from: count('from').optional(), to: count('to').optional() }).strict();

export const erasureBodySchema = z.object({
  accountId: id,
  /** Recorded in the log as given, so it must not itself hold personal data (a ticket number, a legal basis). */
  reason: z.string().min(1).max(500),
  /**
   * Erase an account the log holds nothing of yet (its events may still be on their way): its
   * events, when they come, are recorded "[erased]". Without it such an id is 404 unknown_account.
   */
  force: z.boolean().optional(),
}).strict();
