import { type FieldError, InvalidRequestError } from '@gm/core';
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
