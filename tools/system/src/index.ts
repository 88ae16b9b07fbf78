export * from './homeline-client';
export * from './household';
export * from './local-system';
export * from './running-system';
