export * from './homeline-client';
export * from './household';
export * from './local-system';
export * from './running-system';
export * from './process-tree';
export * from './load';
