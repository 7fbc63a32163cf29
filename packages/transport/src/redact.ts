/**
 * Secret-looking query keys: any key ending in a secret's word (`access_key`, `AccessKey`, `access%5Fkey`, `api_key`,
 * `access_token`, `client_secret`, `X-Amz-Signature`, `password`...).
 */
const SECRET_QUERY = /([?&][^=&#?\s"']*?(?:key|password|passwd|secret|token|signature)=)[^&#\s"']*/gi;
/** The user information of a URL (`//user:password@`), up to its last `@` as URL parsers read it (`p@ss` is one password). */
const USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi;

/**
 * `text` with every URL's user information (`user:password@`) and secret query values (`access_key=`,
 * `password=`, `token=`, ...) replaced by `[REDACTED]`; everything else is kept as it is. Redact a whole text
 * before cutting it short, so that no part of a secret is left in view.
 *
 * @example
 * ```ts
 * redactUrl('http://me:pa55@envoy.test:8090/?access_key=sk-1'); // 'http://[REDACTED]@envoy.test:8090/?access_key=[REDACTED]'
 * ```
 */
export function redactUrl(text: string): string {
  return text.replace(USER_INFO, '$1[REDACTED]@').replace(SECRET_QUERY, '$1[REDACTED]');
}
