import type { INestApplication } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiParam, ApiQuery, ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/** OpenAPI at /docs (JSON at /docs-json). */
export function serveOpenApi(app: INestApplication, service: string): void {
  const document = new DocumentBuilder()
    .setTitle(`Homeline ${service}`)
    .setDescription(`The ${service} service's HTTP API. Errors are RFC 9457 problem details.`)
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup('docs', app, () => withTokenScopes(withProblems(SwaggerModule.createDocument(app, document))));
}

/** RFC 9457 problem details as every service answers an error (libs/platform/src/errors/problem.ts). */
const problemSchema: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', description: 'urn:homeline:problem:<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable and machine-readable, e.g. invalid_request, idempotency_key_reused' },
    issues: { type: 'array', items: { type: 'object' }, description: 'With invalid_request: what in the request is wrong' },
  },
  additionalProperties: true,
};

/**
 * Every operation may answer a problem document: listed as its `default` response, so a client
 * generated from /docs-json reads an error's `code` instead of failing on an undeclared status.
 */
const withProblems = (document: OpenAPIObject): OpenAPIObject => {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: problemSchema } };
  for (const operation of operationsOf(document)) {
    operation.responses.default ??= {
      description: 'An error, as RFC 9457 problem details (4xx: the request; 5xx: the service)',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return document;
};

/** Every operation of the document, whatever its path and method. */
const operationsOf = (document: OpenAPIObject): OperationObject[] =>
  Object.values(document.paths).flatMap((path) => (['get', 'put', 'post', 'delete', 'patch'] as const).flatMap((method) => path[method] ?? []));

/**
 * A route that takes another scope's token (`@RequireToken('recovery')`) names that scope as its
 * security requirement; each such scope is a bearer scheme of its own, so a client (and its reader)
 * sees that the integration's token is not the one to send there.
 */
const withTokenScopes = (document: OpenAPIObject): OpenAPIObject => {
  const schemes = { ...document.components?.securitySchemes };
  for (const scope of operationsOf(document).flatMap((operation) => (operation.security ?? []).flatMap(Object.keys))) {
    schemes[scope] ??= { type: 'http', scheme: 'bearer', description: `The ${scope} scope's bearer token, not the integration's (the service's README names it)` };
  }
  document.components = { ...document.components, securitySchemes: schemes };
  return document;
};

/** Documents a request body by its zod schema: `@ApiZodBody(placeCallSchema)`. */
export const ApiZodBody = (schema: z.ZodType): MethodDecorator =>
  ApiBody({ schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaObject });

/**
 * Documents a success's body by its zod schema: `@ApiZodResponse(202, acceptedCallSchema)`. Without
 * it the document lists the status alone, and a client generated from it reads no field of the answer
 * (not even the id of what it created).
 */
export const ApiZodResponse = (status: number, schema: z.ZodType, description?: string): MethodDecorator =>
  ApiResponse({
    status,
    description: description ?? successes[status] ?? '',
    schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as SchemaObject,
  });

/** Documents query parameters by their zod object schema: `@ApiZodQuery(auditQuerySchema)`. */
export const ApiZodQuery = (schema: z.ZodObject): MethodDecorator => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaObject;
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property as SchemaObject }),
    ),
  );
};

/**
 * Documents path parameters by their zod object schema, for a route that validates them as one
 * object (`@Param(new ZodPipe(schema))`), which Nest cannot name: `@ApiZodParams(proofParamsSchema)`.
 */
export const ApiZodParams = (schema: z.ZodObject): MethodDecorator => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaObject;
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) => ApiParam({ name, required: true, schema: property as SchemaObject })),
  );
};

/**
 * Documents the `Idempotency-Key` header of a route that honours it (docs/architecture.md section 6):
 * optional, and a generated client would otherwise have no way to send it.
 */
export const ApiIdempotencyKey = (): MethodDecorator =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1 to 255 visible ASCII characters (else 400 invalid_idempotency_key). A retry with the same key and body is answered as the first; ' +
      'the same key with another body is 422 idempotency_key_reused.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
  });

const successes: Record<number, string> = {
  200: 'Done',
  201: 'Created',
  202: 'Accepted: it goes on after the answer',
  204: 'Done, nothing to return',
};

/**
 * Documents every success a route may answer, where it sets the status itself (a held action's
 * 202 beside its 201): a client generated from /docs-json must expect each (with its body, when given).
 */
export const ApiSuccesses = (...answers: readonly (number | readonly [number, string] | readonly [number, string, z.ZodType])[]): MethodDecorator =>
  applyDecorators(
    ...answers.map((answer) => {
      if (typeof answer === 'number') return ApiResponse({ status: answer, description: successes[answer] });
      const [status, description, body] = answer;
      return body ? ApiZodResponse(status, body, description) : ApiResponse({ status, description });
    }),
  );
