export * from './call';
export * from './call.events';
export * from './call.commands';
export * from './call.errors';
export * from './call-timeouts';
export * from './call.decide';
export * from './call.view';
export { commandsFor, callSetupInputs } from './call-setup';
