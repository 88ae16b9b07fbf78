import { BrokerTarget, eventually, fastConsumer, kafkaFor, kafkajsFrame, RawClient, startTarget, targetName } from './support';

/* eslint-disable @typescript-eslint/no-require-imports */
const initProducerIdV1 = require('kafkajs/src/protocol/requests/initProducerId/v1/request');
const initProducerIdResponse = require('kafkajs/src/protocol/requests/initProducerId/v1/response');
const produceV7 = require('kafkajs/src/protocol/requests/produce/v7/request');
const produceResponse = require('kafkajs/src/protocol/requests/produce/v7/response');
/* eslint-enable @typescript-eslint/no-require-imports */

const body = (frame: Buffer) => frame.subarray(4); // after the correlation id

describe(`the idempotent producer on the ${targetName()} broker`, () => {
  let target: BrokerTarget;
  const n = (name: string) => target.unique(name);

  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(() => target.stop());

  it('answers a retried Produce with the original offset and stores it once; a sequence gap is refused', async () => {
    const payments = n('payments');
    const admin = kafkaFor(target).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: payments, numPartitions: 1 }] });
    await admin.disconnect();

    const raw = await RawClient.connect(target);
    // Apache Kafka answers COORDINATOR_LOAD_IN_PROGRESS until its transaction state is loaded; clients retry.
    let correlation = 0;
    const init = await eventually(async () => {
      const answer = await initProducerIdResponse.decode(body(await raw.request(await kafkajsFrame(++correlation, initProducerIdV1({ transactionalId: null, transactionTimeout: 30000 })))));
      return answer.errorCode === 0 ? answer : null;
    });
    expect(init).toMatchObject({ errorCode: 0, producerEpoch: 0 });

    const produceFrame = (correlationId: number, firstSequence: number, values: string[]) =>
      kafkajsFrame(
        correlationId,
        produceV7({
          acks: -1,
          timeout: 1000,
          producerId: init.producerId,
          producerEpoch: 0,
          topicData: [{ topic: payments, partitions: [{ partition: 0, firstSequence, messages: values.map((value) => ({ value })) }] }],
        }),
      );
    const partitionOf = async (frame: Buffer) => (await produceResponse.decode(body(await raw.request(frame)))).topics[0].partitions[0];

    const first = await produceFrame(++correlation, 0, ['p1', 'p2']);
    expect(await partitionOf(first)).toMatchObject({ errorCode: 0, baseOffset: '0' });
    expect(await partitionOf(await produceFrame(++correlation, 2, ['p3']))).toMatchObject({ errorCode: 0, baseOffset: '2' });
    // The same bytes again: what a producer sends when an ack was lost.
    expect(await partitionOf(first)).toMatchObject({ errorCode: 0, baseOffset: '0' });
    expect(await partitionOf(await produceFrame(++correlation, 7, ['gap']))).toMatchObject({ errorCode: 45 }); // OUT_OF_ORDER_SEQUENCE_NUMBER
    raw.close();

    const kafka = kafkaFor(target);
    const consumer = kafka.consumer({ groupId: n('payments-reader'), ...fastConsumer });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: payments, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await eventually(() => values.length >= 3);
    const admin2 = kafka.admin();
    await admin2.connect();
    expect(await admin2.fetchTopicOffsets(payments)).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);
    await admin2.disconnect();
    await consumer.disconnect();
    expect(values).toEqual(['p1', 'p2', 'p3']);
  });

  it('serves a kafkajs idempotent producer end to end', async () => {
    const kafka = kafkaFor(target);
    const idem = n('idem');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: idem, numPartitions: 3 }] });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: idem, messages: [{ key: 'k', value: `v${i}` }] });
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets(idem);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(5);
    await admin.disconnect();
  });
});
