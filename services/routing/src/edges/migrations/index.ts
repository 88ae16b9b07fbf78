import { RoutingCallLimits1764450000000 } from './routing-call-limits.migration';
import { RoutingCarrierClaims1764200000000 } from './routing-carrier-claims.migration';
import { RoutingClaimHolders1765100000000 } from './routing-claim-holders.migration';
import { RoutingDevicesOrder1765200000000 } from './routing-devices-order.migration';
import { RoutingEmergencyRedials1765800000000 } from './routing-emergency-redials.migration';
import { RoutingForgotten1766400000000 } from './routing-forgotten.migration';
import { RoutingInbound1764300000000 } from './routing-inbound.migration';
import { RoutingLineOpened1766300000000 } from './routing-line-opened.migration';
import { RoutingRequestCarriedOut1765400000000 } from './routing-request-carried-out.migration';
import { RoutingRetention1766000000100 } from './routing-retention.migration';
import { RoutingSchema1764100000000 } from './routing-schema.migration';

/** Routing's own schema history, oldest first (the event store's migrations run before it). */
export const routingMigrations = [
  RoutingSchema1764100000000,
  RoutingCarrierClaims1764200000000,
  RoutingInbound1764300000000,
  RoutingCallLimits1764450000000,
  RoutingClaimHolders1765100000000,
  RoutingDevicesOrder1765200000000,
  RoutingRequestCarriedOut1765400000000,
  RoutingEmergencyRedials1765800000000,
  RoutingRetention1766000000100,
  RoutingLineOpened1766300000000,
  RoutingForgotten1766400000000,
];
