import * as kafkaEmbedded from '@homeline/kafka-embedded';

export interface RunningBroker {
  readonly address: string;
  stop(): Promise<void>;
}

type StartBroker = (options: { dataDir: string; port: number; initialRebalanceDelayMs?: number }) => Promise<RunningBroker>;

/** The project's own Kafka-protocol broker (libs/kafka-embedded), persisted under dataDir. */
export function startEmbeddedBroker(dataDir: string, port: number): Promise<RunningBroker> {
  const { startBroker } = kafkaEmbedded as unknown as { startBroker?: StartBroker };
  if (!startBroker) throw new Error('@homeline/kafka-embedded has no startBroker yet; set KAFKA_BROKERS to a running Kafka');
  // A short initial rebalance delay: four services' consumer groups form in well under a second.
  return startBroker({ dataDir, port, initialRebalanceDelayMs: 100 });
}
