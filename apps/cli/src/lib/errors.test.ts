import {
  APIError,
  AuthenticationError,
  ConnectionError,
  GridMarketsError,
  InsufficientCreditsError,
  InvalidRequestError,
} from '@gm/core';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { reportError } from './errors.js';
import { CliError, ExitCode, UsageError } from './exit-codes.js';

describe('reportError', () => {
  it('maps every kind of error to its exit code', () => {
    expect(reportError(new UsageError('x')).exitCode).toBe(ExitCode.USAGE);
    expect(reportError(new CommanderError(1, 'commander.unknownOption', 'error: bad')).exitCode).toBe(2);
    expect(
      reportError(new InvalidRequestError('bad', { fieldErrors: [{ field: 'f', message: 'm' }] })),
    ).toMatchObject({
      exitCode: 2,
      details: ['f: m'],
    });
    expect(reportError(new AuthenticationError('no', { status: 401 })).exitCode).toBe(3);
    expect(reportError(new InsufficientCreditsError('poor', { status: 402 })).exitCode).toBe(4);
    expect(reportError(new APIError('down', { status: 0 }), 'http://h').hint).toContain('http://h');
    expect(reportError(new APIError('down', { status: 0 })).exitCode).toBe(5);
    expect(reportError(new ConnectionError('refused', { code: 'ECONNREFUSED' })).exitCode).toBe(5);
    expect(reportError(new APIError('boom', { status: 500 })).exitCode).toBe(6);
    expect(reportError(new GridMarketsError('other', { status: 404 })).exitCode).toBe(6);
    expect(reportError(new CliError('failed', ExitCode.PROJECT_FAILED)).exitCode).toBe(7);
    expect(reportError(new TypeError('bug')).exitCode).toBe(1);
    expect(reportError('a string').exitCode).toBe(1);
  });
});
