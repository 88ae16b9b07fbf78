import { startBroker, type EmbeddedBroker } from '@homeline/kafka-embedded';

/** The project's own Kafka-protocol broker (libs/kafka-embedded), persisted under dataDir. */
export function startEmbeddedBroker(dataDir: string, port: number, print: (line: string) => void): Promise<EmbeddedBroker> {
  const log = (level: string) => (msg: string, details?: object) =>
    print(`${level.padEnd(5)} ${msg}${details ? ` ${JSON.stringify(details)}` : ''}`);
  return startBroker({
    dataDir,
    port,
    // Four services' consumer groups form in well under a second; Kafka's 3 s default only slows the start.
    initialRebalanceDelayMs: 100,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
  });
}
