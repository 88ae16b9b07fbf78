import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** A request body, query or parameter that fails its schema; rendered as 400 `invalid_request`. */
export class RequestValidationError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '));
    this.name = 'RequestValidationError';
  }
}

/** Parses input at the boundary; throws RequestValidationError listing every issue. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new RequestValidationError(
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

/** `@Body(new ZodPipe(schema)) body: z.infer<typeof schema>` */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    return parseRequest(this.schema, value);
  }
}
