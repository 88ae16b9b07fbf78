import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, EventPattern, MessagePattern, MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { eventually, fastConsumer, startTestBroker } from './support';

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

describe('@nestjs/microservices over the embedded broker', () => {
  let env: Awaited<ReturnType<typeof startTestBroker>>;
  let server: INestMicroservice;
  let client: ClientKafka;

  beforeAll(async () => {
    env = await startTestBroker();
    const kafka = { client: { brokers: [env.broker.address], clientId: 'math' }, consumer: { groupId: 'math', ...fastConsumer } };
    server = await NestFactory.createMicroservice<MicroserviceOptions>(MathModule, { transport: Transport.KAFKA, options: kafka, logger: false });
    await server.listen();
    client = new ClientKafka({ client: { brokers: [env.broker.address], clientId: 'gateway' }, consumer: { groupId: 'gateway', ...fastConsumer } });
    client.subscribeToResponseOf('math.sum');
    await client.connect();
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await env.stop();
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

  it('created the topics Nest relies on by auto-creation', () => {
    expect(env.logger.lines.filter((l) => l.msg === 'auto-creating topic').map((l) => (l.o as { topic: string }).topic)).toEqual(
      expect.arrayContaining(['math.sum', 'math.sum.reply', 'user.created']),
    );
  });
});
