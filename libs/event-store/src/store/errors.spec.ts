import { isStreamVersionConflict, StreamVersionConflict } from './errors';

describe('a stream version conflict', () => {
  it('has a stable code and says what was expected and found', () => {
    const conflict = new StreamVersionConflict('call-1', 3, 5);
    expect(conflict.code).toBe('STREAM_VERSION_CONFLICT');
    expect(conflict.message).toBe('stream call-1: expected version 3, found 5');
    expect(isStreamVersionConflict(conflict)).toBe(true);
    expect(isStreamVersionConflict(new Error('x'))).toBe(false);
  });
});
