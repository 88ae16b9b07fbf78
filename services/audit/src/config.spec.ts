import { randomBytes } from 'node:crypto';
import { loadConfig } from '@homeline/platform';
import { formatSignerKey } from '@homeline/tlog';
import { auditConfigSchema } from './config';

const required = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/audit',
  INTEGRATION_TOKEN: 'a-token-long-enough-to-count',
  COMPLIANCE_TOKEN: 'the-compliance-teams-own-token',
  AUDIT_SIGNING_KEY: formatSignerKey('homeline.test/audit', randomBytes(32)),
  AUDIT_KEK: randomBytes(32).toString('base64'),
};

describe('the audit configuration', () => {
  it("refuses a compliance token that is the integration's: every integration could then read and erase the log's personal data", () => {
    expect(() => loadConfig(auditConfigSchema, { ...required, COMPLIANCE_TOKEN: required.INTEGRATION_TOKEN })).toThrow(/COMPLIANCE_TOKEN: must differ from INTEGRATION_TOKEN/);
    expect(loadConfig(auditConfigSchema, required).COMPLIANCE_TOKEN).toBe(required.COMPLIANCE_TOKEN);
  });
});
