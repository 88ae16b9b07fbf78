import { kafkaFor, startTestBroker } from './support';

// A documented difference from Kafka (README, "Not implemented"): Apache Kafka serves
// transactions; this broker refuses them clearly instead of pretending.
describe('Kafka transactions on the embedded broker', () => {
  it('refuses them with a clear error', async () => {
    const env = await startTestBroker();
    const producer = kafkaFor(env.broker).producer({ transactionalId: 'tx-1', maxInFlightRequests: 1 });
    await producer.connect();
    await expect(producer.transaction()).rejects.toThrow(/not supported/i);
    expect(env.logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/transactions are not supported/) }));
    await producer.disconnect();
    await env.stop();
  });
});
