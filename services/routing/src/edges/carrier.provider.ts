import { Logger, type Provider } from '@nestjs/common';
import type { Clock } from '@homeline/event-store';
import { CLOCK, SERVICE_CONFIG } from '@homeline/platform';
import { Counter, Gauge, Registry } from 'prom-client';
import { CARRIER_PORT } from '../application/carrier.port';
import { carrierRetryDelayCapMs, type RoutingConfig } from '../config';
import { HttpCarrier } from './carrier-http';

/** The carrier's circuit, for the dispatcher (leg-dispatcher.ts CarrierGate). */
export const CARRIER_GATE = Symbol('CarrierGate');

/**
 * The carrier is always the HTTP adapter to CARRIER_API_URL: the real carrier in production, the
 * simulator process (tools/carrier-sim) in `npm start` and the tests. Its attempts and circuit are
 * on /metrics, and every change of the circuit is logged.
 */
export const carrierProviders: Provider[] = [
  {
    provide: HttpCarrier,
    inject: [SERVICE_CONFIG, CLOCK, Registry],
    useFactory: (config: RoutingConfig, clock: Clock, registry: Registry) => {
      const logger = new Logger('Carrier');
      const attempts = new Counter({
        name: 'routing_carrier_api_attempts_total',
        help: 'Attempts at a carrier call-control request, by operation and outcome (2xx, 4xx, 5xx, timeout, no_answer)',
        labelNames: ['operation', 'outcome'],
        registers: [registry],
      });
      const circuitOpen = new Gauge({
        name: 'routing_carrier_circuit_open',
        help: '1 while the circuit to the carrier is open (requests held, not sent), else 0',
        registers: [registry],
      });
      circuitOpen.set(0);
      return new HttpCarrier({
        baseUrl: config.CARRIER_API_URL,
        secret: config.CARRIER_API_SECRET,
        timeoutMs: config.CARRIER_API_TIMEOUT_MS,
        attempts: config.CARRIER_API_ATTEMPTS,
        connections: config.CARRIER_API_CONNECTIONS,
        breakerThreshold: config.CARRIER_BREAKER_THRESHOLD,
        halfOpenAfterMs: config.CARRIER_BREAKER_HALF_OPEN_MS,
        maxRetryDelayMs: carrierRetryDelayCapMs,
        nowSeconds: () => Math.floor(clock.now().getTime() / 1000),
        onAttempt: (operation, outcome) => attempts.inc({ operation, outcome }),
        onCircuit: (state) => {
          circuitOpen.set(state === 'open' ? 1 : 0);
          if (state === 'open')
            logger.error(
              `circuit to the carrier open after ${config.CARRIER_BREAKER_THRESHOLD} failed attempts in a row; requests held for ${config.CARRIER_BREAKER_HALF_OPEN_MS} ms`,
            );
          else
            logger.warn(
              `circuit to the carrier ${state === 'closed' ? 'closed: requests flow again' : 'half open: one request probes'}`,
            );
        },
      });
    },
  },
  { provide: CARRIER_PORT, useExisting: HttpCarrier },
  { provide: CARRIER_GATE, useFactory: (carrier: HttpCarrier) => carrier.gate, inject: [HttpCarrier] },
];
