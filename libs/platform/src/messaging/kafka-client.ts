import { Logger } from '@nestjs/common';
import { Kafka, logCreator, logLevel } from 'kafkajs';
import type { PlatformOptions } from '../platform.options';
import { kafkaConnection } from './kafka-connection';

/** kafkajs logs through the service's logger, so its lines are JSON with the service's name too. */
const kafkaLogs: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, ...details } = log;
    const line = { ...details, msg: message };
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else logger.debug(line);
  };
};

/** The service's Kafka client (KAFKA_BROKERS), shared by its producers and consumers. */
export const kafkaClient = ({ service, config }: PlatformOptions): Kafka =>
  new Kafka({ clientId: `homeline-${service}`, ...kafkaConnection(config), logLevel: logLevel.WARN, logCreator: kafkaLogs });
