// Imported first by each service's main.ts: the http, express and pg instrumentations patch those
// modules as they load, so they are registered before anything requires them. Only the exporter
// choice is read here, to load nothing when traces go nowhere (`none`, the default); every
// OpenTelemetry variable is validated with the service's configuration right after, and a bad
// value stops the service there with the others.
import { instrumentLibraries } from './src/instrumentation';

const exporter = process.env.OTEL_TRACES_EXPORTER;
if (exporter === 'otlp' || exporter === 'console') instrumentLibraries();
