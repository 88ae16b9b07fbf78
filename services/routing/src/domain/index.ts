export * from './classify-destination';
export * from './resolve-target';
export * from './plan-route';
export * from './carrier-leg';
export * from './carrier-leg.decide';
export * from './leg-release';
