// First: the tracing instrumentation must be in place before http, express and pg load.
import '@homeline/telemetry/register';
import 'reflect-metadata';
import { runService } from '@homeline/platform';
import { callsService } from './app.module';

// The one place the calls service reads process.env: validated once, here.
void runService(callsService, process.env);
