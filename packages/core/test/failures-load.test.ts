/**
 * The module that words failures (`failures.ts`) is loaded on the first failed call. A page whose server has gone
 * away when that happens cannot load it: the caller must still get a GridMarketsError that says what failed and
 * what to do, not a bare module-loading error.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/failures.js', () => {
  throw new TypeError(
    'Failed to fetch dynamically imported module: http://page.test/assets/failures-3f2a.js',
  );
});

describe('a failed call when failures.js cannot be loaded', () => {
  it('is a GridMarketsError naming the operation, the reason and the fix', async () => {
    const { readAnswer } = await import('../src/answers.js');
    const { GridMarketsError } = await import('../src/index.js');
    const answer = new Response(JSON.stringify({ error: 'boom' }), {
      status: 500,
      headers: { 'content-type': 'application/json' },
    });
    const error = await readAnswer(answer, {
      operation: 'listProjects',
      sent: { method: 'GET', url: 'http://envoy.test:8090/projects' },
      secrets: [],
      url: 'http://envoy.test:8090',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GridMarketsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^listProjects failed/);
    expect(message).toContain("loading @gm/core's failures.js to describe it failed too (");
    expect(message).toContain('reload the page');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
