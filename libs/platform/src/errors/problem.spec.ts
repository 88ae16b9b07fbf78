import { ConflictException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { z } from 'zod';
import { toProblem } from './problem';
import { parseRequest, RequestValidationError } from './request-validation';

class CallAlreadyEnded extends Error {
  readonly code = 'call_already_ended';
}

class DeviceNotLinked extends Error {
  readonly code = 'device_not_linked';
  readonly status = 404;
}

describe('an error rendered as problem details', () => {
  it('keeps the stable code of a domain error and answers 422 by default', () => {
    expect(toProblem(new CallAlreadyEnded('The call has ended.'))).toEqual({
      type: 'urn:homeline:problem:call_already_ended',
      title: 'Unprocessable entity',
      status: 422,
      detail: 'The call has ended.',
      code: 'call_already_ended',
    });
  });

  it('uses the status a domain error carries', () => {
    expect(toProblem(new DeviceNotLinked('no such device'))).toMatchObject({ status: 404, code: 'device_not_linked', title: 'Not found' });
  });

  it("uses the service's status for a code when the error carries none", () => {
    expect(toProblem(new CallAlreadyEnded('ended'), { call_already_ended: 409 })).toMatchObject({ status: 409, title: 'Conflict' });
  });

  it('answers 400 invalid_request with every issue of a body that fails its schema', () => {
    const schema = z.object({ deviceId: z.string(), target: z.string().min(1) });
    let error: unknown;
    try {
      parseRequest(schema, { target: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(toProblem(error)).toMatchObject({
      status: 400,
      code: 'invalid_request',
      issues: [
        { path: 'deviceId', message: expect.stringContaining('expected string') },
        { path: 'target', message: expect.stringContaining('>=1') },
      ],
    });
  });

  it('derives the code of an HTTP exception from its status', () => {
    expect(toProblem(new UnauthorizedException('A bearer token is required.'))).toMatchObject({
      status: 401, code: 'unauthorized', detail: 'A bearer token is required.',
    });
    expect(toProblem(new NotFoundException())).toMatchObject({ status: 404, code: 'not_found' });
    expect(toProblem(new ConflictException('taken'))).toMatchObject({ status: 409, code: 'conflict', detail: 'taken' });
  });

  it('hides the message of an unexpected error behind a 500', () => {
    const problem = toProblem(new TypeError("Cannot read properties of undefined (reading 'secret')"));
    expect(problem).toMatchObject({ status: 500, code: 'internal_error', title: 'Internal server error' });
    expect(problem.detail).not.toContain('secret');
  });

  it('does not take an error code that is not a stable snake_case code for a domain error', () => {
    const systemError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toProblem(systemError)).toMatchObject({ status: 500, code: 'internal_error' });
  });
});
