export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  SaslAuthenticate: 36,
} as const;

export type ApiKeyValue = (typeof ApiKey)[keyof typeof ApiKey];

export const apiName = (key: number): string =>
  (Object.keys(ApiKey) as (keyof typeof ApiKey)[]).find((name) => ApiKey[name] === key) ?? `Unknown(${key})`;

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/**
 * What ApiVersions advertises. Minimums are Kafka 4.x's, after KIP-896 removed the old
 * versions (Fetch below 4, ListOffsets 0, OffsetCommit below 2, OffsetFetch 0, CreateTopics
 * below 2, DeleteTopics 0); a request in a removed version closes the connection, as Kafka 4
 * does. Produce 0–2 stay advertised and refused, as Kafka 4 keeps them (librdkafka's feature
 * probes look for them). These minimums still overlap every probe librdkafka makes. Maxima stay
 * below every flexible-encoding threshold (see kafka-wire-notes §1f).
 */
export const ADVERTISED: ReadonlyMap<number, VersionRange> = new Map([
  [ApiKey.Produce, { min: 0, max: 7 }],
  [ApiKey.Fetch, { min: 4, max: 11 }],
  [ApiKey.ListOffsets, { min: 1, max: 3 }],
  [ApiKey.Metadata, { min: 0, max: 6 }],
  [ApiKey.OffsetCommit, { min: 2, max: 5 }],
  [ApiKey.OffsetFetch, { min: 1, max: 5 }],
  [ApiKey.FindCoordinator, { min: 0, max: 2 }],
  [ApiKey.JoinGroup, { min: 0, max: 5 }],
  [ApiKey.Heartbeat, { min: 0, max: 3 }],
  [ApiKey.LeaveGroup, { min: 0, max: 3 }],
  [ApiKey.SyncGroup, { min: 0, max: 3 }],
  [ApiKey.DescribeGroups, { min: 0, max: 2 }],
  [ApiKey.ListGroups, { min: 0, max: 2 }],
  [ApiKey.ApiVersions, { min: 0, max: 2 }],
  [ApiKey.CreateTopics, { min: 2, max: 3 }],
  [ApiKey.DeleteTopics, { min: 1, max: 1 }],
  [ApiKey.InitProducerId, { min: 0, max: 1 }],
  [ApiKey.AddPartitionsToTxn, { min: 0, max: 1 }],
  [ApiKey.AddOffsetsToTxn, { min: 0, max: 1 }],
  [ApiKey.EndTxn, { min: 0, max: 1 }],
  [ApiKey.TxnOffsetCommit, { min: 0, max: 2 }],
  [ApiKey.SaslHandshake, { min: 0, max: 1 }],
  [ApiKey.SaslAuthenticate, { min: 0, max: 1 }],
]);
