import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import type { PlatformConfig } from '../config/env';
import { activeTraceIds } from './tracing';

const quietPaths = /^\/(health|metrics)(\/|$)/;

/** JSON logs: one line per event, the service's name and the active trace id on each. */
export function loggerParams(service: string, config: PlatformConfig): Params {
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      base: { service },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeTraceIds,
      // Probes and scrapes every few seconds would drown the useful lines.
      autoLogging: { ignore: (request: IncomingMessage) => quietPaths.test(request.url ?? '') },
      // Headers stay out of the logs: they carry bearer tokens and signatures.
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
