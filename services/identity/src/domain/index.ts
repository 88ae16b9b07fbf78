export * from './speaker-thresholds';
export * from './assertion-signature';
export * from './voice-match';
export * from './verify-speaker';
export * from './permissions';
