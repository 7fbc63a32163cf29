/**
 * `instanceof` across two installed copies of the package. The built CommonJS and ES module builds are two
 * module instances with their own classes; they are loaded by a plain Node process (as a user's program would),
 * and a second instance of the source is loaded here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test, vi } from 'vitest';
import * as source from '../src/index.js';

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/** The source again, under another module id: a second instance with its own classes. */
const SECOND_COPY: string = '../src/index.js?second-copy';

const KINDS = ['AuthenticationError', 'InsufficientCreditsError', 'InvalidRequestError', 'APIError'];

/** Runs `body` in a fresh Node process with `cjs` and `esm` bound to the two builds; returns what it prints. */
function withBuilds(body: string): unknown {
  if (!existsSync(dist('index.cjs')) || !existsSync(dist('index.mjs'))) {
    throw new Error('dist/ is missing: run `pnpm --filter @gm/core build` before the tests (turbo does).');
  }
  const script = `
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)(${JSON.stringify(dist('index.cjs'))});
    const esm = await import(${JSON.stringify(dist('index.mjs'))});
    const KINDS = ${JSON.stringify(KINDS)};
    ${body}`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('two copies of the package', () => {
  test('the CJS and ESM builds recognise each other’s errors, kind by kind', () => {
    const result = withBuilds(`
      const copies = { cjs, esm };
      const rows = [];
      for (const [from, made] of Object.entries(copies))
        for (const kind of KINDS) {
          const error = new made[kind]('x');
          for (const [to, other] of Object.entries(copies))
            for (const asked of ['GridMarketsError', ...KINDS])
              rows.push([from, kind, to, asked, error instanceof other[asked]]);
        }
      console.log(JSON.stringify({ distinct: cjs.GridMarketsError !== esm.GridMarketsError, rows }));
    `) as { distinct: boolean; rows: [string, string, string, string, boolean][] };
    expect(result.distinct).toBe(true);
    expect(result.rows).toHaveLength(2 * 4 * 2 * 5);
    for (const [from, kind, to, asked, is] of result.rows) {
      expect(is, `${from} ${kind} instanceof ${to} ${asked}`).toBe(
        asked === 'GridMarketsError' || asked === kind,
      );
    }
  });

  test('an error thrown by a client of one copy is caught by the classes of the other', () => {
    const result = withBuilds(`
      const error = await new esm.EnvoyClient({ url: 'http://127.0.0.1:1' }).validateAuth().catch((e) => e);
      console.log(JSON.stringify([error instanceof cjs.AuthenticationError, error instanceof cjs.GridMarketsError,
        error instanceof cjs.APIError]));
    `);
    expect(result).toEqual([true, true, false]);
  });

  // @gm/transport's CommonJS build once handed openapi-fetch's module object where the function was expected.
  test('a client of the CommonJS build can be created', () => {
    const result = withBuilds(`
      new cjs.EnvoyClient({ url: 'http://127.0.0.1:1' });
      console.log(JSON.stringify('created'));
    `);
    expect(result).toBe('created');
  });

  test('a second module instance of the source', async () => {
    vi.resetModules();
    const second = (await import(/* @vite-ignore */ SECOND_COPY)) as typeof source;
    expect(second.InvalidRequestError).not.toBe(source.InvalidRequestError);
    const error = new second.InvalidRequestError('x', { fieldErrors: [{ field: 'a', message: 'b' }] });
    expect(error).toBeInstanceOf(source.InvalidRequestError);
    expect(error).toBeInstanceOf(source.GridMarketsError);
    expect(error).not.toBeInstanceOf(source.AuthenticationError);
    expect(new source.APIError('y')).toBeInstanceOf(second.APIError);
  });
});
