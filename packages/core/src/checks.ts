/**
 * Checks of plain values shared by the models: each returns a problem message, or `undefined` when the value is
 * fine. Nothing here recurses, so a deeply nested or cyclic value is a problem, never a stack overflow.
 */
import { describeValue } from './paths.js';

/** How deep parameter values may nest (objects and lists inside one another). */
export const MAX_PARAM_DEPTH = 64;

/** Whether `value` is a plain object: `{...}` or `Object.create(null)`, not a list, a Date or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A non-empty string (not only blanks). */
export function nonEmptyStringProblem(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== ''
    ? undefined
    : `must be a non-empty string (got ${describeValue(value)})`;
}

/** A finite integer of at least `min`. */
export function integerProblem(value: unknown, min = 1): string | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min
    ? undefined
    : `must be ${min === 1 ? 'a positive' : `an`} integer${min === 1 ? '' : ` of at least ${min}`} (got ${describeValue(value)})`;
}

/** A list (not a string) of non-empty strings. */
export function stringListProblem(value: unknown, what = 'strings'): string | undefined {
  if (typeof value === 'string') {
    return `must be a list of ${what}, not one string: write [${JSON.stringify(value)}]`;
  }
  if (!Array.isArray(value)) return `must be a list of ${what} (got ${describeValue(value)})`;
  const bad = value.findIndex((item) => typeof item !== 'string' || item.trim() === '');
  return bad === -1 ? undefined : `item ${bad} must be a non-empty string (got ${describeValue(value[bad])})`;
}

/**
 * Why `value` cannot be sent as JSON exactly as given, or `undefined` when it can: only plain objects, lists,
 * strings, finite numbers, booleans and `null`, nested at most {@link MAX_PARAM_DEPTH} deep, without cycles.
 * Functions, symbols, bigints, `undefined`, `NaN`, Dates, Maps and class instances are problems (JSON would drop
 * or change them silently).
 */
export function jsonValueProblem(value: unknown, field: string): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: field, depth: 0 }];
  const open = new Set<object>();
  // Depth-first without recursion; `exit` entries close an object so a shared (not cyclic) value is fine.
  const exits: { object: object; after: number }[] = [];
  while (stack.length > 0) {
    while (exits.length > 0 && exits[exits.length - 1]!.after >= stack.length) {
      open.delete(exits.pop()!.object);
    }
    const { value: v, path, depth } = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${path} is ${v}, which JSON cannot carry: give a finite number`;
      continue;
    }
    if (typeof v !== 'object') {
      return `${path} is ${describeValue(v)}, which JSON cannot carry: give a string, number, boolean, list or plain object`;
    }
    if (open.has(v))
      return `${path} refers back to an enclosing value (a cycle): give a tree of plain values`;
    if (depth >= MAX_PARAM_DEPTH)
      return `${path} is nested more than ${MAX_PARAM_DEPTH} levels deep: flatten it`;
    let entries: [string, unknown][];
    if (Array.isArray(v)) {
      entries = v.map((item, i) => [`[${i}]`, item]);
    } else if (isPlainObject(v)) {
      entries = Object.entries(v).map(([k, item]) => [`.${k}`, item]);
      if (Object.hasOwn(v, '__proto__')) {
        return `${path} has a "__proto__" key, which services refuse as prototype poisoning: rename it`;
      }
      const ctor = Object.hasOwn(v, 'constructor') ? (v as Record<string, unknown>).constructor : undefined;
      if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) {
        return `${path}.constructor has a "prototype" key, which services refuse as prototype poisoning: rename it`;
      }
      if (Object.getOwnPropertySymbols(v).length > 0)
        return `${path} has symbol keys, which JSON cannot carry: use string keys`;
    } else {
      const kind = (v as object).constructor?.name ?? 'object';
      return `${path} is a ${kind}, not a plain object: give plain values (convert it, e.g. a Date to an ISO string)`;
    }
    open.add(v);
    exits.push({ object: v, after: stack.length });
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      stack.push({ value: item, path: `${path}${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The keys of `given` that are not in `known`, each with a problem naming the known ones. */
export function unknownKeyProblems(
  given: Record<string, unknown>,
  known: readonly string[],
  what: string,
  prefix = '',
): { field: string; message: string }[] {
  return Object.keys(given)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      field: `${prefix}${key}`,
      message: `is not ${what} option; the options are ${known.join(', ')}`,
    }));
}
