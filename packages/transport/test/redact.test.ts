/**
 * Redaction of URLs in messages and logs: whatever a user puts in a URL's password or a secret query value, no
 * part of it is left in view.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { redactUrl } from '../src/redact.js';

/** A secret made of letters no message around it uses, so that any part of it left in view is found. */
const piece = fc.stringMatching(/^[QZXJ]{3,8}$/);

/** Characters a password may hold as typed, `@` and `:` among them (a URL parser takes the last `@`). */
const password = fc
  .array(fc.tuple(piece, fc.constantFrom('@', ':', '!', '%40', '')), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.map(([p, sep]) => p + sep).join('') + 'Q');

/** Query keys that hold secrets, as services name them. */
const secretKey = fc.constantFrom(
  'access_key',
  'AccessKey',
  'access%5Fkey',
  'access_token',
  'token',
  'client_secret',
  'api_key',
  'apikey',
  'password',
  'X-Amz-Signature',
);

/** The pieces of a secret (runs of its letters) that must not be in `text`. */
function leaked(text: string, secret: string): string[] {
  return (secret.match(/[QZXJ]{3,}/g) ?? []).filter((run) => text.includes(run));
}

describe('redactUrl', () => {
  test.prop([password, fc.constantFrom('http', 'https'), fc.constantFrom('', '/', '/status?x=1')])(
    'leaves no part of a password in view, however many @ it holds',
    (secret, scheme, rest) => {
      const url = `${scheme}://me:${secret}@envoy.test:8090${rest}`;
      const shown = redactUrl(`could not reach ${url} (refused)`);
      expect(leaked(shown, secret)).toEqual([]);
      expect(shown).toContain('envoy.test:8090');
      expect(shown).toMatch(/\(refused\)$/);
    },
  );

  test.prop([secretKey, piece, fc.constantFrom('?', '?page=2&')])(
    'leaves no secret query value in view',
    (key, secret, before) => {
      const shown = redactUrl(`GET http://envoy.test:8090/projects${before}${key}=${secret}&page=3 failed`);
      expect(leaked(shown, secret)).toEqual([]);
      expect(shown).toContain('page=3 failed');
    },
  );

  test.prop([fc.constantFrom('page', 'name', 'monkeys_of')])('keeps other query values', (key) => {
    expect(redactUrl(`http://envoy.test/x?${key}=QZXJ`)).toBe(`http://envoy.test/x?${key}=QZXJ`);
  });
});
