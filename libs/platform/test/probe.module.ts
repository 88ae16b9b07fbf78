import { Body, Controller, Get, Headers, Module, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { IdempotencyStore, PlatformConfig, PlatformModule, RequireToken, ServiceDefinition, ZodPipe, platformEnv } from '../src';

/** A feature module as a service would write one, to drive the chassis from the outside. */
class SpeakerNotVerified extends Error {
  readonly code = 'speaker_not_verified';
  readonly status = 403;
}

const placeCall = z.object({ deviceId: z.string().min(1), target: z.string().min(1) });

@Controller('v1/probe')
class ProbeController {
  constructor(private readonly idempotency: IdempotencyStore) {}

  @Get()
  hello() {
    return { hello: 'integration' };
  }

  @RequireToken('compliance')
  @Get('audit')
  audit() {
    return { hello: 'compliance' };
  }

  @Get('refusal')
  refusal(): never {
    throw new SpeakerNotVerified('The voice did not match a member of the household.');
  }

  /** A streamed body that fails after its first chunk, as an export whose next page query fails. */
  @Get('stream')
  async stream(@Res() res: Response): Promise<void> {
    res.status(200).type('application/x-ndjson');
    res.write('{"line":1}\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
    throw new Error('the database went away mid-stream');
  }

  @Post('calls')
  async place(
    @Body(new ZodPipe(placeCall)) body: z.infer<typeof placeCall>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.idempotency.once('probe.place', key, body, async (tx) => {
      await tx.query('SELECT 1');
      return { status: 202, body: { callId: randomUUID(), target: body.target } };
    });
    response.status(result.status);
    return result.body;
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

export const probeService: ServiceDefinition<PlatformConfig & { COMPLIANCE_TOKEN: string }> = {
  name: 'calls',
  configSchema: platformEnv({ httpPort: 3999 }).extend({ COMPLIANCE_TOKEN: z.string().min(16) }),
  appModule: (config) => ({
    module: ProbeModule,
    imports: [
      PlatformModule.forRoot({
        service: 'calls',
        config,
        tokens: { integration: config.INTEGRATION_TOKEN, compliance: config.COMPLIANCE_TOKEN },
      }),
    ],
  }),
};
