import { createHmac } from 'node:crypto';

/** A call-control request as Homeline sends it: signed over the body, with an Idempotency-Key. */
export const signedPost = (
  baseUrl: string,
  path: string,
  body: unknown,
  options: { secret: string; key?: string; at?: number },
): Promise<Response> => {
  const raw = JSON.stringify(body);
  const t = options.at ?? Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', options.secret).update(`${t}.${raw}`).digest('hex');
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-carrier-signature': `t=${t},v1=${v1}`,
      ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
    },
    body: raw,
  });
};
