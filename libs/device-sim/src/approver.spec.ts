import { isAcceptableDeviceKey, isApprovalSignedBy } from '@homeline/contracts';
import { approverPhone } from './index';

describe("an owner's approver phone", () => {
  const phone = approverPhone('olivias-phone');

  it('has a key identity accepts, the same one every time for the same seed', () => {
    expect(isAcceptableDeviceKey(phone.publicKey)).toBe(true);
    expect(approverPhone('olivias-phone').publicKey).toBe(phone.publicKey);
    expect(approverPhone('olivias-phone', 'another seed').publicKey).not.toBe(phone.publicKey);
  });

  it('signs the decision on an approval, as identity verifies it', () => {
    const body = phone.sign('ap-1', 'approve', '2026-11-27T10:00:00.000Z');
    expect(body).toMatchObject({ approverId: 'olivias-phone', decision: 'approve', signedAt: '2026-11-27T10:00:00.000Z' });
    expect(isApprovalSignedBy({ approvalId: 'ap-1', ...body }, phone.publicKey)).toBe(true);
    expect(isApprovalSignedBy({ approvalId: 'ap-2', ...body }, phone.publicKey)).toBe(false);
    expect(isApprovalSignedBy({ approvalId: 'ap-1', ...body }, approverPhone('someone-else').publicKey)).toBe(false);
  });

  it('signs now unless told when', () => {
    const before = Date.now();
    const signedAt = Date.parse(phone.sign('ap-1', 'deny').signedAt);
    expect(signedAt).toBeGreaterThanOrEqual(before);
    expect(signedAt).toBeLessThanOrEqual(Date.now());
  });
});
