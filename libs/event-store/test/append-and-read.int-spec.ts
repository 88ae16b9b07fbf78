import { envelopeSchema } from '@homeline/contracts';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { appendToStream, readStream, runUnitOfWork, StreamVersionConflict, toEnvelope } from '../src';
import { eventually, lockWaiters } from './support/infrastructure';
import { useStoreDatabase } from './support/store-database';

const source = 'calls' as const;
const incremented = (by: number) => ({ type: 'Incremented', data: { by } });

describe('appending to a stream and reading it back', () => {
  const store = useStoreDatabase();

  it('numbers a new stream from 1 and reads the events back in order as valid envelopes', async () => {
    const appended = await appendToStream(store.db.manager, 'call-1', [incremented(1), incremented(2)], {
      expectedVersion: 'no-stream', source, accountId: 'acct-1',
    });
    expect(appended.nextExpectedVersion).toBe(2);

    const stream = await readStream(store.db.manager, 'call-1');
    expect(stream.currentVersion).toBe(2);
    expect(stream.events.map((e) => [e.streamVersion, e.data.by])).toEqual([[1, 1], [2, 2]]);
    expect(stream.events[1].position).toBeGreaterThan(stream.events[0].position);
    for (const event of stream.events) {
      expect(envelopeSchema.parse(toEnvelope(event))).toMatchObject({ source, correlationId: 'call-1', accountId: 'acct-1' });
    }
  });

  it('continues a stream from the version the writer saw', async () => {
    await appendToStream(store.db.manager, 'call-2', [incremented(1)], { expectedVersion: 0, source });
    const appended = await appendToStream(store.db.manager, 'call-2', [incremented(5)], { expectedVersion: 1, source });
    expect(appended.events[0].streamVersion).toBe(2);
    expect((await readStream(store.db.manager, 'call-2', { fromVersion: 2 })).events.map((e) => e.data.by)).toEqual([5]);
  });

  it('rejects a stale expected version with a typed conflict and writes nothing', async () => {
    await appendToStream(store.db.manager, 'call-3', [incremented(1), incremented(1)], { expectedVersion: 0, source });
    for (const expectedVersion of [1, 3, 'no-stream'] as const) {
      const attempt = appendToStream(store.db.manager, 'call-3', [incremented(9)], { expectedVersion, source });
      await expect(attempt).rejects.toBeInstanceOf(StreamVersionConflict);
      await expect(attempt).rejects.toMatchObject({ code: 'STREAM_VERSION_CONFLICT', actualVersion: 2 });
    }
    expect((await readStream(store.db.manager, 'call-3')).currentVersion).toBe(2);
  });

  it('appends after whatever is there when any version is expected', async () => {
    await appendToStream(store.db.manager, 'call-4', [incremented(1)], { expectedVersion: 'any', source });
    const appended = await appendToStream(store.db.manager, 'call-4', [incremented(1)], { expectedVersion: 'any', source });
    expect(appended.nextExpectedVersion).toBe(2);
  });

  it('runs no statement for a unit of work with nothing to write, so it waits on no writer', async () => {
    const blocker = store.db.createQueryRunner();
    await blocker.startTransaction();
    try {
      await blocker.query('LOCK TABLE es_events IN SHARE MODE');
      await expect(runUnitOfWork(store.db.manager, async () => 'nothing to do')).resolves.toBe('nothing to do');
      // A unit of work that writes waits for the lock: the one above would have, had it run a statement.
      const writing = runUnitOfWork(store.db.manager, async (uow) =>
        uow.append([{ streamId: 'call-uow', events: [incremented(1)], options: { expectedVersion: 'no-stream', source } }]),
      );
      await eventually(async () => expect(await lockWaiters(store.db, 'relation')).toBe(1));
      await blocker.commitTransaction();
      await writing;
      expect((await readStream(store.db.manager, 'call-uow')).currentVersion).toBe(1);
    } finally {
      if (blocker.isTransactionActive) await blocker.rollbackTransaction();
      await blocker.release();
    }
  });

  it('commits or rolls back together with the rest of the caller’s transaction', async () => {
    await store.db.query(`CREATE TABLE call_count (call_id text PRIMARY KEY, events int NOT NULL)`);
    await expect(
      store.db.transaction(async (manager) => {
        await appendToStream(manager, 'call-5', [incremented(1)], { expectedVersion: 0, source });
        await manager.query(`INSERT INTO call_count VALUES ('call-5', 1)`);
        throw new Error('the command failed after appending');
      }),
    ).rejects.toThrow('the command failed');
    expect((await readStream(store.db.manager, 'call-5')).events).toHaveLength(0);

    await store.db.transaction(async (manager) => {
      await appendToStream(manager, 'call-5', [incremented(1)], { expectedVersion: 0, source });
      await manager.query(`INSERT INTO call_count VALUES ('call-5', 1)`);
    });
    expect((await readStream(store.db.manager, 'call-5')).events).toHaveLength(1);
    expect(await store.db.query(`SELECT events FROM call_count`)).toEqual([{ events: 1 }]);
  });

  it('refuses to append behind an event of a newer transaction, which the relay would publish first', async () => {
    const older = store.db.createQueryRunner();
    await older.startTransaction();
    try {
      await older.query(`SELECT pg_current_xact_id()`); // as if it had written something first
      await appendToStream(store.db.manager, 'call-7', [incremented(1)], { expectedVersion: 0, source }); // a newer transaction
      const behind = appendToStream(older.manager, 'call-7', [incremented(2)], { expectedVersion: 1, source });
      await expect(behind).rejects.toMatchObject({ code: 'STREAM_VERSION_CONFLICT', reason: 'transaction-order' });
    } finally {
      await older.rollbackTransaction();
      await older.release();
    }
    const fresh = await appendToStream(store.db.manager, 'call-7', [incremented(2)], { expectedVersion: 1, source });
    expect(fresh.nextExpectedVersion).toBe(2);
  });

  it('stores the traceparent of the active trace, and none outside a trace', async () => {
    const contextManager = new AsyncHooksContextManager().enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
      const traced = trace.setSpanContext(context.active(), spanContext);
      const inTrace = await context.with(traced, () =>
        appendToStream(store.db.manager, 'call-6', [incremented(1)], { expectedVersion: 0, source }),
      );
      const outside = await appendToStream(store.db.manager, 'call-6', [incremented(1)], { expectedVersion: 1, source });

      const expected = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      expect(inTrace.events[0].traceparent).toBe(expected);
      expect(outside.events[0].traceparent).toBeNull();
      expect((await readStream(store.db.manager, 'call-6')).events.map((e) => e.traceparent)).toEqual([expected, null]);
    } finally {
      propagation.disable();
      context.disable();
    }
  });
});
