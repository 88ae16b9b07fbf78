// First: the tracing instrumentation must be in place before http, express and pg load.
import '@homeline/telemetry/register';
import 'reflect-metadata';
import { runService } from '@homeline/platform';
import { routingService } from './app.module';

// The one place the routing service reads process.env: validated once, here.
void runService(routingService, process.env);
