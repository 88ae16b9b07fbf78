export * from './homeline-client';
export * from './household';
