import type { CarrierStatusCallback } from '../../src/application/carrier.port';
import { carrierSignatureHeader, signCarrierPayload } from '../../src/edges/carrier-signature';
import { webhookSecret } from './routing-harness';

/** POSTs a status callback to routing as a carrier would, signed with `secret`. */
export const postCarrierStatus = async (
  baseUrl: string,
  callback: CarrierStatusCallback,
  secret: string = webhookSecret,
): Promise<Response> => {
  const body = JSON.stringify(callback);
  return fetch(`${baseUrl}/v1/carrier/status`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [carrierSignatureHeader]: signCarrierPayload(secret, body, Math.floor(Date.now() / 1000)),
    },
    body,
  });
};
