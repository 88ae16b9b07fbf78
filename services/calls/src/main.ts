import 'reflect-metadata';
import { runService } from '@homeline/platform';
import { callsService } from './app.module';

// The one place the calls service reads process.env: validated once, here.
void runService(callsService, process.env);
