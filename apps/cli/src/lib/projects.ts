/**
 * Turning Envoy's "not found" for a project into bad input (exit 2) with a pointer to `gm projects`.
 *
 * @module
 */

import type { EnvoyClient } from '@gm/core';
import { didYouMean } from '@gm/products';
import { isNotFound } from './errors.js';
import { UsageError } from './exit-codes.js';

/**
 * Runs `call` on project `name`; when Envoy answers 404 (Not Found), throws a {@link UsageError} saying the
 * project is unknown, with the nearest project name when there is one and a pointer to `gm projects`.
 */
export async function onProject<T>(client: EnvoyClient, name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isNotFound(error)) throw error;
    let names: string[] = [];
    try {
      names = (await client.listProjects()).map((p) => p.name);
    } catch {}
    const guess = didYouMean(name, names);
    throw new UsageError(`Envoy has no project named "${name}".`, {
      hint: `${guess ? `Did you mean ${guess}? ` : ''}\`gm projects\` lists your projects.`,
      cause: error,
    });
  }
}
