/**
 * Answers drawn from the contract and mutated: an answer the contract allows reaches the caller unchanged; one
 * with a wrong type or a missing field is an UnexpectedAnswerError naming the field (never another class); an
 * error answer keeps its status's class, with a note when its body is malformed.
 */
import { fc, test } from '@fast-check/vitest';
import type { OperationId } from '@gm/transport';
import { describe, expect } from 'vitest';
import { jsonAnswers, mutated, valid } from '../../transport/test/contract-arbitraries.js';
import { readAnswer } from '../src/answers.js';
import { EnvoyClient, GridMarketsError, UnexpectedAnswerError } from '../src/index.js';

const URL_ = 'http://envoy.test:8090';
const answer = (value: unknown, status: number) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
const context = (operation: string) => ({
  operation: operation as OperationId,
  sent: { method: 'GET', url: `${URL_}/x` },
  secrets: ['sk-secret'],
  url: URL_,
});

const successes = jsonAnswers().filter((a) => a.status < 300);
const failures = jsonAnswers().filter((a) => a.status >= 400);

describe.each(successes)('the success of $operation ($status)', ({ operation, status, schema }) => {
  test.prop([valid(schema)], { numRuns: 40 })('reaches the caller unchanged', async (value) => {
    await expect(readAnswer(answer(value, status), context(operation))).resolves.toEqual(value);
  });
  test.prop([mutated(schema)], { numRuns: 40 })(
    'with one thing wrong is an UnexpectedAnswerError naming it',
    async (bad) => {
      const error = (await readAnswer(answer(bad.value, status), context(operation)).catch(
        (e: unknown) => e,
      )) as UnexpectedAnswerError;
      expect(error).toBeInstanceOf(UnexpectedAnswerError);
      expect(error.constructor).toBe(UnexpectedAnswerError);
      expect(error).toMatchObject({ operation, at: bad.at, status });
      expect(error.message).toContain(bad.at);
    },
  );
});

describe.each(failures)('the error answer of $operation ($status)', ({ operation, status, schema }) => {
  test.prop(
    [
      fc.oneof(
        valid(schema).map((value) => ({ value, bad: false })),
        mutated(schema).map((m) => ({ value: m.value, bad: true })),
      ),
    ],
    {
      numRuns: 15,
    },
  )("keeps its status's class; a malformed body adds a note", async ({ value, bad }) => {
    const error = (await readAnswer(answer(value, status), context(operation)).catch(
      (e: unknown) => e,
    )) as UnexpectedAnswerError;
    expect(error).toBeInstanceOf(GridMarketsError);
    expect(error).not.toBeInstanceOf(UnexpectedAnswerError);
    expect(error.status).toBe(status);
    expect(error.message.includes('Note: its body differs from the contract')).toBe(bad);
  });
});

describe('through EnvoyClient', () => {
  const status = successes.find((a) => a.operation === 'getProjectStatus')!.schema;
  test.prop([valid(status)], { numRuns: 30 })(
    'getProjectStatus returns what the contract allows as it came',
    async (value) => {
      const client = new EnvoyClient({
        url: URL_,
        email: 'a@b.example',
        accessKey: 'sk-secret',
        retries: 0,
        fetch: async (request) =>
          request.url.endsWith('/auth') ? answer({ Message: 'ok' }, 200) : answer(value, 200),
      });
      expect(await client.getProjectStatus('shot')).toEqual(value);
    },
  );
});
