/** Table and channel names; one event store per service database, so they are fixed. */
export const Tables = {
  events: 'es_events',
  relayCheckpoints: 'es_relay_checkpoints',
  inbox: 'es_inbox',
  projectionCheckpoints: 'es_projection_checkpoints',
} as const;

/** NOTIFY channel raised by every append; delivered when the appending transaction commits. */
export const appendedChannel = 'es_events_appended';
