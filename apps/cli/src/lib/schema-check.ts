/**
 * A small JSON Schema checker for the subset the job file schema uses, so the published schema is the one
 * `gm validate` applies (no schema library needed).
 *
 * @module
 */

/** A JSON Schema node (the subset this checker understands). */
export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  minItems?: number;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
  description?: string;
  [key: string]: unknown;
}

/** One problem found: where (`jobs[0].budget.action`) and what. */
export interface SchemaProblem {
  /** Path of the value, `$` for the root. */
  path: string;
  /** What is wrong. */
  message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path === '$' ? key : `${path}.${key}`;

/** Checks a value against a schema; returns every problem found (empty when it conforms). */
export function checkSchema(
  value: unknown,
  schema: SchemaNode,
  root: SchemaNode = schema,
  path = '$',
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  let node = schema;
  if (node.$ref) {
    const name = node.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) throw new Error(`Unknown schema reference ${node.$ref}`);
    node = target;
  }
  if (node.type !== undefined) {
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (!types.some((t) => matchesType(value, t))) {
      problems.push({ path, message: `must be ${types.join(' or ')}, not ${typeOf(value)}` });
      return problems;
    }
  }
  if (node.const !== undefined && value !== node.const) {
    problems.push({ path, message: `must be ${JSON.stringify(node.const)}` });
  }
  if (node.enum && !node.enum.includes(value)) {
    problems.push({ path, message: `must be one of ${node.enum.map((e) => String(e)).join(', ')}` });
  }
  if (typeof value === 'string') {
    if (node.minLength !== undefined && value.length < node.minLength) {
      problems.push({ path, message: 'must not be empty' });
    }
    if (node.pattern !== undefined && !new RegExp(node.pattern, 'u').test(value)) {
      problems.push({ path, message: `has characters that are not allowed (${node.pattern})` });
    }
  }
  if (typeof value === 'number') {
    if (node.minimum !== undefined && value < node.minimum) {
      problems.push({ path, message: `must be at least ${node.minimum}` });
    }
    if (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum) {
      problems.push({ path, message: `must be greater than ${node.exclusiveMinimum}` });
    }
  }
  if (Array.isArray(value)) {
    if (node.minItems !== undefined && value.length < node.minItems) {
      problems.push({
        path,
        message: `must have at least ${node.minItems} item${node.minItems === 1 ? '' : 's'}`,
      });
    }
    if (node.items) {
      const items = node.items;
      value.forEach((item, i) => {
        problems.push(...checkSchema(item, items, root, join(path, i)));
      });
    }
  }
  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of node.required ?? []) {
      if (!(key in record)) problems.push({ path, message: `is missing the required property "${key}"` });
    }
    for (const [key, child] of Object.entries(record)) {
      const propertySchema = node.properties?.[key];
      if (propertySchema) {
        problems.push(...checkSchema(child, propertySchema, root, join(path, key)));
      } else if (node.additionalProperties === false) {
        const known = Object.keys(node.properties ?? {});
        const near = known.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[_-]/g, ''));
        problems.push({
          path: join(path, key),
          message: `is not a known property${near ? ` (did you mean "${near}"?)` : ''}`,
        });
      } else if (typeof node.additionalProperties === 'object') {
        problems.push(...checkSchema(child, node.additionalProperties, root, join(path, key)));
      }
    }
  }
  return problems;
}
