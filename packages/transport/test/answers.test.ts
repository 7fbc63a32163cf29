/**
 * The answer checker against the contract: answers drawn from the contract pass, answers with one thing wrong
 * are caught where it is wrong, and ajv (JSON Schema 2020-12, compiling the contract's own schemas) agrees on
 * every verdict.
 */
import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect } from 'vitest';
import { answerSpec, checkAnswer, nestsDeeper } from '../src/answers.js';
import { jsonAnswers, mutated, valid } from './contract-arbitraries.js';

const contract = JSON.parse(readFileSync(new URL('../src/generated/openapi.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: false });
ajv.addSchema({ $id: 'envoy', components: contract.components });
/** ajv's validator of the contract's answer of `operation` with `status`, straight from openapi.json. */
function oracle(operation: string, status: number) {
  for (const item of Object.values<
    Record<string, { operationId: string; responses: Record<string, unknown> }>
  >(contract.paths)) {
    for (const op of Object.values(item)) {
      if (op.operationId !== operation) continue;
      let response = op.responses[String(status)] as {
        $ref?: string;
        content?: Record<string, { schema: unknown }>;
      };
      if (response.$ref) response = contract.components.responses[response.$ref.split('/').pop() as string];
      const schema = JSON.parse(
        JSON.stringify(response.content?.['application/json']?.schema).replaceAll(
          '"#/components',
          '"envoy#/components',
        ),
      );
      return ajv.compile(schema);
    }
  }
  throw new Error(`no operation ${operation}`);
}

describe.each(jsonAnswers())('the answer of $operation with $status', ({ operation, status, schema }) => {
  const ajvCheck = oracle(operation, status);
  test.prop([valid(schema)], { numRuns: 60 })(
    'an answer the contract allows passes, as ajv says',
    (value) => {
      expect(ajvCheck(value)).toBe(true);
      expect(checkAnswer(schema, value)).toBeUndefined();
    },
  );
  test.prop([mutated(schema)], { numRuns: 60 })(
    'one wrong value or missing field is caught there, as ajv says',
    (bad) => {
      expect(ajvCheck(bad.value)).toBe(false);
      expect(checkAnswer(schema, bad.value)).toMatchObject({ at: bad.at, missing: bad.missing });
    },
  );
});

describe('answerSpec', () => {
  test('names the media type and schema of an answer, a shared one included; nothing for a status not in the contract', () => {
    expect(answerSpec('getProjectStatus', 200)).toEqual({
      media: 'application/json',
      schema: { $ref: 'ProjectStatus' },
    });
    expect(answerSpec('authenticate', 401)).toEqual({ media: 'text/plain' });
    expect(answerSpec('getProjectStatus', 403)?.schema).toEqual({ $ref: 'ErrorBody' });
    expect(answerSpec('getProjectStatus', 307)).toBeUndefined();
  });
});

describe('nestsDeeper', () => {
  test.prop([fc.nat({ max: 200 }), fc.nat({ max: 200 })])(
    'counts the nesting of arrays and objects, strings left out',
    (depth, max) => {
      const text = `${'[{"a":'.repeat(depth)}"[[{{\\"]"${'}]'.repeat(depth)}`;
      expect(nestsDeeper(text, max)).toBe(depth * 2 > max);
      expect(JSON.parse(text)).toBeDefined();
    },
  );
});
