export { startCarrierSimulator, type CarrierSimulatorOptions, type RunningCarrierSimulator } from './simulator';
export { behaviours, type CarrierBehaviour } from './behaviours';
export { CarrierSimClient, type SimulatedCallView } from './sim-client';
export { loadSimulatorConfig, type SimulatorConfig } from './config';
export type { RequestRecord } from './server';
