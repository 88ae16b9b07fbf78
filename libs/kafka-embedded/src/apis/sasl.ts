import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import { SCRAM_MECHANISM, ScramError, ScramExchange } from '../security/scram';
import { ApiHandler } from './context';

/**
 * SaslHandshake v1: the client names its mechanism; only SCRAM-SHA-512 is offered. (v0, where
 * raw SASL tokens follow outside Kafka's framing, is advertised like Kafka does but refused:
 * kafkajs and librdkafka use v1 with SaslAuthenticate.)
 */
export const saslHandshake: ApiHandler = {
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, req, r) {
    const mechanism = r.string();
    const w = new Writer();
    const offered = ctx.security ? [SCRAM_MECHANISM] : [];
    if (!ctx.security || mechanism !== SCRAM_MECHANISM) return w.int16(ErrorCode.UNSUPPORTED_SASL_MECHANISM).array(offered, (w, m) => w.string(m));
    if (req.session.principal !== null || req.session.sasl) return w.int16(ErrorCode.ILLEGAL_SASL_STATE).array(offered, (w, m) => w.string(m));
    const credentials = ctx.security.credentials;
    req.session.sasl = new ScramExchange((user) => credentials.get(user));
    return w.int16(ErrorCode.NONE).array(offered, (w, m) => w.string(m));
  },
};

/** SaslAuthenticate v0–v1: one SCRAM message each way; a failure is answered, then the connection closes. */
export const saslAuthenticate: ApiHandler = {
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req, r) {
    const token = r.bytes().toString('utf8');
    const exchange = req.session.sasl;
    const answer = (error: number, message: string | null, bytes: Buffer) => {
      const w = new Writer().int16(error).nullableString(message).bytes(bytes);
      if (req.header.apiVersion >= 1) w.int64(0); // session_lifetime_ms: no re-authentication
      return w;
    };
    if (!exchange) return answer(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate before SaslHandshake', Buffer.alloc(0));
    try {
      const reply = exchange.respond(token);
      if (exchange.principal !== null) {
        req.session.principal = exchange.principal;
        req.session.sasl = null;
        ctx.logger.info('client authenticated', { user: exchange.principal, remote: req.clientHost });
      }
      return answer(ErrorCode.NONE, null, Buffer.from(reply));
    } catch (err) {
      if (!(err instanceof ScramError)) throw err;
      ctx.logger.warn('SASL authentication failed', { remote: req.clientHost, reason: err.message });
      // Nothing more is taken from this connection's exchange, even what it pipelined after the failure.
      req.session.sasl = null;
      req.session.closeAfterReply = true;
      return answer(
        ErrorCode.SASL_AUTHENTICATION_FAILED,
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${SCRAM_MECHANISM}`,
        Buffer.alloc(0),
      );
    }
  },
};
