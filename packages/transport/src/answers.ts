/**
 * What the contract allows Envoy to answer, and the checker of an answer against it. The table
 * (`generated/answers.ts`) is generated from `openapi/envoy.yaml`; this module evaluates its JSON Schema keywords
 * (the generator refuses a schema using any other), so every answer is checked by the contract itself, with no
 * per-field code. It is a compact evaluator rather than compiled validators to keep a browser bundle small
 * (ajv's standalone code of the same schemas is about 4.9 KB min+gzip; this module with its table about 1 KB).
 *
 * @module
 */
import { ANSWERS } from './generated/answers.js';

/** The contract's answers: every operation's answers by status, and the schemas they use (generated). */
export { ANSWERS };

import type { operations } from './generated/envoy.js';

/** A JSON Schema node of the answer table: the keywords the checker evaluates, `$ref` by schema name. */
export interface AnswerSchema {
  /** JSON type: `string`, `number`, `integer`, `boolean`, `array`, `object` or `null`. */
  type?: string;
  /** Schemas of named properties. */
  properties?: Record<string, AnswerSchema>;
  /** Properties that must be present. */
  required?: string[];
  /** Whether other properties are allowed, or their schema. Allowed when absent. */
  additionalProperties?: boolean | AnswerSchema;
  /** Schema of every item of an array. */
  items?: AnswerSchema;
  /** Exactly one of these must hold. */
  oneOf?: AnswerSchema[];
  /** The allowed values. */
  enum?: unknown[];
  /** A regular expression a string must match (Unicode mode). */
  pattern?: string;
  /** The smallest number allowed. */
  minimum?: number;
  /** The name of a schema of the table. */
  $ref?: string;
}

/** One answer the contract allows: its media type (absent when it has no body) and, for JSON, its schema. */
export interface AnswerSpec {
  /** `application/json` or `text/plain`; absent for an answer without a body. */
  media?: string;
  /** The schema of a JSON body. */
  schema?: AnswerSchema;
}

/** The generated table: each operation's method, path and answers by status (a spec, or a shared response's name). */
export interface AnswerTable {
  /** Operations by `operationId`. */
  operations: Record<string, { method: string; path: string; answers: Record<string, AnswerSpec | string> }>;
  /** Shared responses (`components.responses`) by name. */
  responses: Record<string, AnswerSpec>;
  /** Schemas (`components.schemas`) by name. */
  schemas: Record<string, AnswerSchema>;
}

/** The `operationId` of an operation of the contract, such as `getProjectStatus`. */
export type OperationId = keyof operations;

/** Where an answer differs from the contract. */
export interface AnswerProblem {
  /** The path of the value in the body, `$` for the whole body: `$.State`, `$.projects[3].name`. */
  at: string;
  /** What the contract says is there: `string`, `integer`, `number or string`, `present`, `absent`, ... */
  expected: string;
  /** Whether the value is missing (`found` is then undefined). */
  missing: boolean;
  /** The value found at `at`. */
  found: unknown;
}

/** The most nested arrays and objects an answer may hold. The contract's deepest answer nests 4 levels. */
export const MAX_ANSWER_DEPTH = 64;

/** What the contract says `operation` answers with `status`; undefined when the contract has no such answer. */
export function answerSpec(operation: OperationId, status: number): AnswerSpec | undefined {
  const spec = ANSWERS.operations[operation]?.answers[String(status)];
  return typeof spec === 'string' ? ANSWERS.responses[spec] : spec;
}

/** The method and path of `operation` as the contract writes them: `GET /project-status/{name}`. */
export function operationRoute(operation: OperationId): string {
  const route = ANSWERS.operations[operation];
  return route ? `${route.method} ${route.path}` : operation;
}

/** The statuses the contract allows `operation` to answer with, success first: `['200', '400', ...]`. */
export function answerStatuses(operation: OperationId): string[] {
  return Object.keys(ANSWERS.operations[operation]?.answers ?? {});
}

/** The first place where `value` differs from `schema` (the table's schemas resolve its `$ref`s); undefined when none. */
export function checkAnswer(schema: AnswerSchema, value: unknown, at = '$'): AnswerProblem | undefined {
  const problem = (expected: string, found: unknown = value, missing = false): AnswerProblem => ({
    at,
    expected,
    missing,
    found,
  });
  if (schema.$ref !== undefined) {
    const target = ANSWERS.schemas[schema.$ref];
    return target ? checkAnswer(target, value, at) : problem(`a schema named ${schema.$ref}`);
  }
  if (schema.oneOf && schema.oneOf.filter((one) => !checkAnswer(one, value, at)).length !== 1) {
    return problem(schema.oneOf.map(describeSchema).join(' or '));
  }
  if (schema.type !== undefined && !hasType(value, schema.type)) return problem(schema.type);
  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    return problem(`one of ${schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}`);
  }
  if (
    typeof value === 'string' &&
    schema.pattern !== undefined &&
    !new RegExp(schema.pattern, 'u').test(value)
  ) {
    return problem(`a string matching ${schema.pattern}`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    return problem(`a number of at least ${schema.minimum}`);
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const found = checkAnswer(schema.items, value[i], `${at}[${i}]`);
      if (found) return found;
    }
  }
  if (hasType(value, 'object')) {
    const record = value as Record<string, unknown>;
    const properties = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(record, name)) {
        const wanted = properties[name];
        return {
          at: member(at, name),
          expected: wanted ? describeSchema(wanted) : 'present',
          missing: true,
          found: undefined,
        };
      }
    }
    for (const name of Object.keys(record)) {
      const sub = Object.hasOwn(properties, name) ? properties[name] : schema.additionalProperties;
      if (sub === false)
        return { at: member(at, name), expected: 'absent', missing: false, found: record[name] };
      if (sub && sub !== true) {
        const found = checkAnswer(sub, record[name], member(at, name));
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** Whether `value` is of JSON Schema `type` (`integer` is a whole number, `object` no array nor null). */
function hasType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'array') return Array.isArray(value);
  if (type === 'null') return value === null;
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

/** A schema in a few words: its type, or the schema's name. */
function describeSchema(schema: AnswerSchema): string {
  if (schema.type !== undefined) return schema.type;
  if (schema.oneOf) return schema.oneOf.map(describeSchema).join(' or ');
  const target = schema.$ref === undefined ? undefined : ANSWERS.schemas[schema.$ref];
  return target ? describeSchema(target) : 'any value';
}

/** The path of property `name` below `at`: `$.State`, or `$.Details["/p/a b.png"]` for a name that is no identifier. */
function member(at: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${at}.${name}` : `${at}[${JSON.stringify(name)}]`;
}

/**
 * Whether JSON `text` nests arrays and objects deeper than `max` levels, found by one scan over its characters
 * (strings skipped) before any parse: nesting is what makes code that walks a value recursively overflow.
 */
export function nestsDeeper(text: string, max: number = MAX_ANSWER_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
