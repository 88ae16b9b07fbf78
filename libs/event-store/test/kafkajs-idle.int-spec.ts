import { Kafka, logLevel } from 'kafkajs';
// kafkajs's own request queue, to count how often it looks for work.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: { checkPendingRequests(): void } };
import { startTestKafka, type TestKafka } from './support/infrastructure';

/**
 * kafkajs 2.2.4 re-armed a setTimeout with a negative delay after every request, so each idle
 * connection spun a ~1 ms timer loop for ever (kafkajs#1556, #1704): CPU burnt by every service
 * doing nothing. patches/kafkajs+2.2.4.patch stops it; this proves the patch is applied.
 */
describe('an idle kafkajs connection', () => {
  let kafka: TestKafka;
  beforeAll(async () => {
    kafka = await startTestKafka();
  });
  afterAll(() => kafka?.stop());

  it('does not look for pending requests while nothing is pending', async () => {
    const producer = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: 'idle.probe', messages: [{ value: 'x' }] }); // a request came and went
      const original = RequestQueue.prototype.checkPendingRequests;
      let checks = 0;
      RequestQueue.prototype.checkPendingRequests = function (this: unknown) {
        checks++;
        return original.call(this);
      };
      let checksWhileIdle: number;
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        checksWhileIdle = checks;
        // The count is live: a request's response makes the queue look again.
        await producer.send({ topic: 'idle.probe', messages: [{ value: 'y' }] });
      } finally {
        RequestQueue.prototype.checkPendingRequests = original;
      }
      expect(checks).toBeGreaterThan(checksWhileIdle);
      expect(checksWhileIdle).toBe(0); // unpatched: hundreds in 300 ms
    } finally {
      await producer.disconnect();
    }
  });
});
