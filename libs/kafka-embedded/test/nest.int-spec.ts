import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, EventPattern, MessagePattern, MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { BrokerTarget, eventually, fastConsumer, kafkaFor, startTarget, targetName } from './support';

const received: { user: string }[] = [];

@Controller()
class MathController {
  @MessagePattern('math.sum')
  sum(@Payload() numbers: { a: number; b: number }): { sum: number } {
    return { sum: numbers.a + numbers.b };
  }

  @EventPattern('user.created')
  userCreated(@Payload() event: { user: string }): void {
    received.push(event);
  }
}

@Module({ controllers: [MathController] })
class MathModule {}

describe(`@nestjs/microservices over the ${targetName()} broker`, () => {
  let target: BrokerTarget;
  let server: INestMicroservice;
  let client: ClientKafka;

  beforeAll(async () => {
    target = await startTarget();
    // Nest creates no topics and subscribes at once: on Kafka an auto-created topic is not there
    // yet when the subscription asks for it, so they exist first (as the services' do).
    const admin = kafkaFor(target).admin();
    await admin.connect();
    await admin.createTopics({ topics: ['math.sum', 'math.sum.reply', 'user.created'].map((topic) => ({ topic, numPartitions: 3 })) });
    await admin.disconnect();
    const kafka = { client: { brokers: [target.address], clientId: 'math' }, consumer: { groupId: target.unique('math'), ...fastConsumer } };
    server = await NestFactory.createMicroservice<MicroserviceOptions>(MathModule, { transport: Transport.KAFKA, options: kafka, logger: false });
    await server.listen();
    client = new ClientKafka({ client: { brokers: [target.address], clientId: 'gateway' }, consumer: { groupId: target.unique('gateway'), ...fastConsumer } });
    client.subscribeToResponseOf('math.sum');
    await client.connect();
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await target.stop();
  });

  it('answers a request-reply message through ServerKafka and ClientKafka', async () => {
    await expect(firstValueFrom(client.send('math.sum', { a: 2, b: 3 }))).resolves.toEqual({ sum: 5 });
    await expect(firstValueFrom(client.send('math.sum', { a: 40, b: 2 }))).resolves.toEqual({ sum: 42 });
  });

  it('delivers an emitted event to its event handler', async () => {
    await firstValueFrom(client.emit('user.created', { user: 'ada' }));
    await eventually(() => received.length === 1);
    expect(received).toEqual([{ user: 'ada' }]);
  });
});
