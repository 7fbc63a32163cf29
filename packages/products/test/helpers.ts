import { type FieldError, InvalidRequestError, type Job, productOptionWireName } from '@gm/core';
import { expect } from 'vitest';

/** Runs `build` and returns the field errors of the InvalidRequestError it must throw. */
export function fieldErrorsOf(build: () => unknown): FieldError[] {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).fieldErrors;
  }
  throw new Error('expected an InvalidRequestError, but the job was built');
}

/** The fields named by the field errors of `build`, in order. */
export function badFieldsOf(build: () => unknown): string[] {
  return fieldErrorsOf(build).map((e) => e.field);
}

/**
 * A built job's parameters as the wire names them: its `params` and its product options under their wire names
 * (core's `productOptionWireName`), the product options winning, as `toSubmitBody` sends them.
 */
export function wireParams(job: Job): Record<string, unknown> {
  const options = Object.entries(job.productOptions).map(([k, v]) => [productOptionWireName(k), v]);
  return { ...job.params, ...Object.fromEntries(options) };
}
