// Prints {"user": "password", ...} for every KafkaUser in deploy/k8s and the admin, at random: the
// SCRAM users CI formats its Apache Kafka with (npm run broker:apache -- --scram-users FILE).
import { generateKafkaPasswords } from '@homeline/testing';

process.stdout.write(`${JSON.stringify(generateKafkaPasswords(), null, 2)}\n`);
