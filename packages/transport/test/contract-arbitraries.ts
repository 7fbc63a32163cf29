/**
 * fast-check arbitraries of answers, drawn from the contract's answer table: `valid(schema)` gives answers the
 * contract allows, `mutated(schema)` answers with exactly one thing wrong (a value of the wrong type, or a required
 * property left out) and where it is. Shared by the transport and core property tests.
 */
import { fc } from '@fast-check/vitest';
import { ANSWERS, type AnswerSchema } from '../src/answers.js';

const resolve = (schema: AnswerSchema): AnswerSchema =>
  schema.$ref === undefined ? schema : resolve(ANSWERS.schemas[schema.$ref] ?? {});

/** A property name no schema of the contract uses, for extra properties. */
const EXTRA = fc.constantFrom('x_extra', 'Later-Field', '/p/a b.png');
const KEY = fc.constantFrom('/shot/a.png', 'scene', '/p/a b.png');

/** Any JSON value a few levels deep, as it comes back from JSON text: no `-0` (`JSON.stringify(-0)` is `0`). */
const anyJson = (): fc.Arbitrary<unknown> =>
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** A JSON answer the contract allows for `schema`. */
export function valid(given: AnswerSchema): fc.Arbitrary<unknown> {
  const schema = resolve(given);
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map(valid));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return schema.pattern === undefined
        ? fc.string({ maxLength: 12 })
        : fc.stringMatching(new RegExp(schema.pattern, 'u'));
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1e9, max: 1e9 });
    case 'number':
      return fc
        .double({ min: schema.minimum ?? -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true })
        .map((n) => (Object.is(n, -0) ? 0 : n));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schema.items ? valid(schema.items) : anyJson(), { maxLength: 3 });
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const known = fc.record(
        Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, valid(sub)])),
        { requiredKeys: [...required] },
      );
      const extra =
        schema.additionalProperties === false
          ? fc.constant({})
          : fc.dictionary(
              typeof schema.additionalProperties === 'object' ? KEY : EXTRA,
              typeof schema.additionalProperties === 'object'
                ? valid(schema.additionalProperties)
                : anyJson(),
              { maxKeys: 2 },
            );
      // Known properties win over an extra one of the same name.
      return fc.tuple(extra, known).map(([more, own]) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(more)) if (!Object.hasOwn(properties, k)) out[k] = v;
        return { ...out, ...own };
      });
    }
    default:
      return anyJson();
  }
}

/** Values of every JSON type. */
const SAMPLES: unknown[] = [123, 1.5, 'text', true, null, [], { a: 1 }];

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether the schema's types take a value of JSON type `type` (`integer` is a number too). */
function takes(schema: AnswerSchema, type: string): boolean {
  const s = resolve(schema);
  if (s.oneOf) return s.oneOf.some((one) => takes(one, type));
  if (s.type === undefined) return true;
  return s.type === type || (s.type === 'number' && type === 'integer');
}

/** Values of a JSON type the schema does not take; none when it takes any. */
function wrongValues(schema: AnswerSchema): unknown[] {
  return SAMPLES.filter((value) => !takes(schema, jsonType(value)));
}

/** The path of property `name` below `at`, as the checker writes it. */
export function member(at: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${at}.${name}` : `${at}[${JSON.stringify(name)}]`;
}

/** An answer with exactly one thing wrong, and where: `at` as the checker names it, `missing` for a left-out one. */
export interface Mutated {
  value: unknown;
  at: string;
  missing: boolean;
}

/** Answers for `schema` with exactly one value of a wrong type or one required property left out. */
export function mutated(given: AnswerSchema, at = '$'): fc.Arbitrary<Mutated> {
  const schema = resolve(given);
  const options: fc.Arbitrary<Mutated>[] = [];
  const wrong = wrongValues(schema);
  if (wrong.length > 0)
    options.push(fc.constantFrom(...wrong).map((value) => ({ value, at, missing: false })));
  if (!schema.oneOf && schema.type === 'array' && schema.items && wrongValues(schema.items).length > 0) {
    const items = schema.items;
    options.push(
      fc.tuple(fc.array(valid(items), { maxLength: 2 }), fc.nat({ max: 2 })).chain(([list, i]) => {
        const index = Math.min(i, list.length);
        return mutated(items, `${at}[${index}]`).map((bad) => {
          const copy = [...list];
          copy.splice(index, 0, bad.value);
          return { ...bad, value: copy };
        });
      }),
    );
  }
  if (!schema.oneOf && schema.type === 'object') {
    const properties = schema.properties ?? {};
    const base = valid(schema) as fc.Arbitrary<Record<string, unknown>>;
    for (const name of schema.required ?? []) {
      options.push(
        base.map((value) => {
          const { [name]: _left, ...rest } = value;
          return { value: rest, at: member(at, name), missing: true };
        }),
      );
    }
    for (const [name, sub] of Object.entries(properties)) {
      if (wrongValues(sub).length === 0 && !canMutateInside(sub)) continue;
      options.push(
        fc
          .tuple(base, mutated(sub, member(at, name)))
          .map(([value, bad]) => ({ ...bad, value: { ...value, [name]: bad.value } })),
      );
    }
    if (typeof schema.additionalProperties === 'object') {
      const sub = schema.additionalProperties;
      options.push(
        fc.tuple(base, KEY).chain(([value, key]) =>
          mutated(sub, member(at, key)).map((bad) => {
            const copy: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(value)) if (k !== key) copy[k] = v;
            // The bad entry comes last among the entries of the map, so that it is the first problem in it.
            return { ...bad, value: { ...copy, [key]: bad.value } };
          }),
        ),
      );
    }
  }
  return fc.oneof(...options);
}

function canMutateInside(schema: AnswerSchema): boolean {
  const s = resolve(schema);
  return !s.oneOf && (s.type === 'object' || (s.type === 'array' && s.items !== undefined));
}

/** Every JSON success answer of the contract: operation, status and schema. */
export function jsonAnswers(): { operation: string; status: number; schema: AnswerSchema }[] {
  const out: { operation: string; status: number; schema: AnswerSchema }[] = [];
  for (const [operation, entry] of Object.entries(ANSWERS.operations)) {
    for (const [status, answer] of Object.entries(entry.answers)) {
      const spec = typeof answer === 'string' ? ANSWERS.responses[answer] : answer;
      if (spec?.media === 'application/json' && spec.schema)
        out.push({ operation, status: Number(status), schema: spec.schema });
    }
  }
  return out;
}
