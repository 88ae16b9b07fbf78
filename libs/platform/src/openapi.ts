import type { INestApplication } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/** OpenAPI at /docs (JSON at /docs-json). */
export function serveOpenApi(app: INestApplication, service: string): void {
  const document = new DocumentBuilder()
    .setTitle(`Homeline ${service}`)
    .setDescription(`The ${service} service's HTTP API. Errors are RFC 9457 problem details.`)
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, document));
}

/** Documents a request body by its zod schema: `@ApiZodBody(placeCallSchema)`. */
export const ApiZodBody = (schema: z.ZodType): MethodDecorator =>
  ApiBody({ schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaObject });

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
