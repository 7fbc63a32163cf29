/// <reference lib="dom" />
/**
 * A browser page's script, bundled by esbuild with `--platform=browser` (test/browser.test.ts): it talks to Envoy
 * through `@gm/transport` from the page's own origin, which proxies to the emulator, and leaves what it saw in
 * `window.gmResult`. Once `@gm/core`'s main entry has no Node built-ins, the page uses `EnvoyClient` too.
 */
import { createTransport } from '@gm/transport';

/** What the page saw, read by the test. */
export interface PageResult {
  auth?: number;
  email?: string;
  products?: number;
  missing?: number;
  error?: string;
}

async function run(): Promise<PageResult> {
  const query = new URLSearchParams(location.search);
  const envoy = createTransport({ baseUrl: location.origin });
  const auth = await envoy.POST('/auth', {
    body: { Username: query.get('email') ?? '', AccessKey: query.get('key') ?? '' },
  });
  const user = await envoy.GET('/user-info');
  const products = await envoy.GET('/products');
  const missing = await envoy.GET('/project-status/{name}', {
    params: { path: { name: 'no_such_project' } },
  });
  return {
    auth: auth.response.status,
    email: user.data?.data.email_address,
    products: Array.isArray(products.data) ? products.data.length : -1,
    missing: missing.response.status,
  };
}

const target = window as unknown as { gmResult?: PageResult };
run().then(
  (result) => {
    target.gmResult = result;
  },
  (error: unknown) => {
    target.gmResult = { error: String(error) };
  },
);
