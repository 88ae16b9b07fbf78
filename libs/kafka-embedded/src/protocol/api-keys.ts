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
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
} as const;

export type ApiKeyValue = (typeof ApiKey)[keyof typeof ApiKey];

export const apiName = (key: number): string =>
  (Object.keys(ApiKey) as (keyof typeof ApiKey)[]).find((name) => ApiKey[name] === key) ?? `Unknown(${key})`;

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/**
 * What ApiVersions advertises. Minimums are 0 because librdkafka enables features only when
 * the range overlaps its old probe versions; both clients then send the highest common
 * version. Maxima stay below every flexible-encoding threshold (see kafka-wire-notes §1f).
 */
export const ADVERTISED: ReadonlyMap<number, VersionRange> = new Map([
  [ApiKey.Produce, { min: 0, max: 7 }],
  [ApiKey.Fetch, { min: 0, max: 11 }],
  [ApiKey.ListOffsets, { min: 0, max: 3 }],
  [ApiKey.Metadata, { min: 0, max: 6 }],
  [ApiKey.OffsetCommit, { min: 0, max: 5 }],
  [ApiKey.OffsetFetch, { min: 0, max: 5 }],
  [ApiKey.FindCoordinator, { min: 0, max: 2 }],
  [ApiKey.JoinGroup, { min: 0, max: 5 }],
  [ApiKey.Heartbeat, { min: 0, max: 3 }],
  [ApiKey.LeaveGroup, { min: 0, max: 3 }],
  [ApiKey.SyncGroup, { min: 0, max: 3 }],
  [ApiKey.DescribeGroups, { min: 0, max: 2 }],
  [ApiKey.ListGroups, { min: 0, max: 2 }],
  [ApiKey.ApiVersions, { min: 0, max: 2 }],
  [ApiKey.CreateTopics, { min: 0, max: 3 }],
  [ApiKey.DeleteTopics, { min: 0, max: 1 }],
  [ApiKey.InitProducerId, { min: 0, max: 1 }],
  [ApiKey.AddPartitionsToTxn, { min: 0, max: 1 }],
  [ApiKey.AddOffsetsToTxn, { min: 0, max: 1 }],
  [ApiKey.EndTxn, { min: 0, max: 1 }],
  [ApiKey.TxnOffsetCommit, { min: 0, max: 2 }],
]);
