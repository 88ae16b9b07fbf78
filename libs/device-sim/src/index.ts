export { SeededRandom } from './random';
export { cosine, normalize, unitVectorAt } from './vectors';
export { DEFAULT_DIMENSIONS, simulatedSpeaker, similarSpeaker, type SimulatedSpeaker } from './speakers';
export { deviceKeys, publicKeyFromBase64, type DeviceKeys } from './keys';
export { simulatedDevice, signWith, unsignedAssertion, type AssertionRequest, type SimulatedDevice } from './device';
export { approverPhone, type ApproverPhone, type SignedDecisionBody } from './approver';
export { forgedAssertion, replayOf, staleAssertion, staleIssuedAt, tamperedAssertion } from './attacks';
