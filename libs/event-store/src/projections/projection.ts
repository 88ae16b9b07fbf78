import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../store/types';

/** A read model kept from the store, with its own checkpoint. */
export interface Projection {
  readonly name: string;
  /** Only these event types reach `apply`; all types when omitted. The checkpoint moves past the rest. */
  readonly eventTypes?: readonly string[];
  /** Applies a batch in the transaction that also moves the checkpoint: exactly once per event. */
  apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void>;
  /** Empties the read model; runs at the start of a rebuild, in the rebuild's transaction. */
  truncate(manager: EntityManager): Promise<void>;
}
