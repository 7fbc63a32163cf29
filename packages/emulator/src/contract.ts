import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { components } from './generated/envoy.js';

/** One problem with a request, as the contract's 400 answers list them. */
export type FieldError = components['schemas']['FieldError'];

/** The contract (`openapi/envoy.yaml` as JSON), read from `@gm/transport/openapi.json`. */
export function loadContract(): Record<string, unknown> {
  const here: string = import.meta.url;
  const file = createRequire(here).resolve('@gm/transport/openapi.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** `a/0/b` (an ajv instance path) as `a[0].b`. */
function fieldOf(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  let out = '';
  for (const raw of parts) {
    const p = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** The part of an ajv error that {@link formatSchemaErrors} reads. */
export interface AjvLikeError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns ajv errors into the contract's field errors (one per problem, duplicates dropped). */
export function formatSchemaErrors(errors: readonly AjvLikeError[], context: string): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    let field: string;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      field = fieldOf(e.instancePath, String(e.params.missingProperty));
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = fieldOf(e.instancePath, String(e.params.additionalProperty));
      message = 'is not allowed';
    } else if (e.keyword === 'anyOf' && e.instancePath === '' && context === 'body') {
      field = context;
      message = 'must match one of the allowed shapes (see the other problems)';
    } else {
      field = fieldOf(e.instancePath);
      if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
        message = `must be one of: ${e.params.allowedValues.join(', ')}`;
      }
    }
    if (!field) field = context;
    if (!out.some((o) => o.field === field && o.message === message)) out.push({ field, message });
  }
  return out;
}

let checker: Ajv2020 | null = null;
/** Validators compiled by {@link contractProblems}, by their schema as JSON (each is compiled once). */
const compiled = new Map<string, ReturnType<Ajv2020['compile']>>();

/**
 * Problems of `value` against a schema that may `$ref` the contract (`contract#/components/schemas/...`), as
 * `field: message` lines; empty when it conforms.
 */
export function contractProblems(schema: object, value: unknown): string[] {
  if (!checker) {
    checker = new Ajv2020({ allErrors: true, strict: false });
    addFormats(checker);
    checker.addSchema(loadContract(), 'contract');
  }
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = checker.compile(schema);
    compiled.set(key, validate);
  }
  if (validate(value)) return [];
  return formatSchemaErrors(validate.errors ?? [], 'value').map((e) => `${e.field}: ${e.message}`);
}
