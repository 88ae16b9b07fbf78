import { ApiKey } from '../protocol/api-keys';
import { createTopics, deleteTopics } from './admin';
import { apiVersions } from './api-versions';
import { ApiHandler } from './context';
import { fetch } from './fetch';
import { findCoordinator } from './find-coordinator';
import { describeGroups, heartbeat, joinGroup, leaveGroup, listGroups, syncGroup } from './groups';
import { listOffsets } from './list-offsets';
import { metadata } from './metadata';
import { offsetCommit, offsetFetch } from './offsets';
import { produce } from './produce';
import { saslAuthenticate, saslHandshake } from './sasl';
import { initProducerId } from './producer-id';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, txnOffsetCommit } from './transactions';

/** Which handler serves each API key. Versions outside a handler's range close the connection. */
export const HANDLERS: ReadonlyMap<number, ApiHandler> = new Map<number, ApiHandler>([
  [ApiKey.Produce, produce],
  [ApiKey.Fetch, fetch],
  [ApiKey.ListOffsets, listOffsets],
  [ApiKey.Metadata, metadata],
  [ApiKey.OffsetCommit, offsetCommit],
  [ApiKey.OffsetFetch, offsetFetch],
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, joinGroup],
  [ApiKey.Heartbeat, heartbeat],
  [ApiKey.LeaveGroup, leaveGroup],
  [ApiKey.SyncGroup, syncGroup],
  [ApiKey.DescribeGroups, describeGroups],
  [ApiKey.ListGroups, listGroups],
  [ApiKey.ApiVersions, apiVersions],
  [ApiKey.CreateTopics, createTopics],
  [ApiKey.DeleteTopics, deleteTopics],
  [ApiKey.InitProducerId, initProducerId],
  [ApiKey.AddPartitionsToTxn, addPartitionsToTxn],
  [ApiKey.AddOffsetsToTxn, addOffsetsToTxn],
  [ApiKey.EndTxn, endTxn],
  [ApiKey.TxnOffsetCommit, txnOffsetCommit],
  [ApiKey.SaslHandshake, saslHandshake],
  [ApiKey.SaslAuthenticate, saslAuthenticate],
]);
