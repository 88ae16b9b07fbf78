import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { PLATFORM_OPTIONS, PlatformOptions } from '../platform.options';

const PUBLIC = 'homeline:public';
const TOKEN_SCOPE = 'homeline:token-scope';

/** No bearer token on this route or controller (health, metrics, HMAC-signed webhooks). */
export const Public = () => SetMetadata(PUBLIC, true);
/** This route or controller takes the token of another scope, e.g. `@RequireToken('compliance')`; its OpenAPI operations say so. */
export const RequireToken = (scope: string) => applyDecorators(SetMetadata(TOKEN_SCOPE, scope), ApiBearerAuth(scope));

/** `Authorization: Bearer <token>` on every HTTP route but those marked @Public(). */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly tokens: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(PLATFORM_OPTIONS) options: PlatformOptions,
  ) {
    const tokens = options.tokens ?? { integration: options.config.INTEGRATION_TOKEN };
    this.tokens = new Map(Object.entries(tokens).map(([scope, token]) => [scope, digest(token)]));
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const scope = this.reflector.getAllAndOverride<string>(TOKEN_SCOPE, targets) ?? 'integration';
    const expected = this.tokens.get(scope);
    const presented = bearerToken(context.switchToHttp().getRequest<Request>());
    if (expected && presented !== undefined && timingSafeEqual(expected, digest(presented))) return true;
    throw new UnauthorizedException(presented === undefined ? 'A bearer token is required.' : 'The bearer token is not valid here.');
  }
}

function bearerToken(request: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the token's length.
const digest = (token: string): Buffer => createHash('sha256').update(token).digest();
