/**
 * npm run demo — against a running `npm start` (or one moved off the dev ports: run the demo with
 * the same HTTP_PORT_*, CARRIER_SIM_PORT and HOMELINE_DATA_DIR). Each part opens its own household
 * and shows, as readable timelines, what Homeline decides: calls placed, calls answered (Away Mode
 * included), the toll-fraud limits, and a new speaker waiting for the owner's approval.
 */
import { localCarrier, localClient } from '@homeline/system';
import { newSpeakerApproval } from './demo/approval';
import { inboundCalls } from './demo/inbound';
import { tollFraudLimits } from './demo/limits';
import { outboundCalls } from './demo/outbound';

async function main() {
  const client = localClient();
  await outboundCalls(client);
  await inboundCalls(client, localCarrier());
  await tollFraudLimits(client);
  await newSpeakerApproval(client);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
