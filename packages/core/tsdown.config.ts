import { gmTsdownConfig } from '../../tsdown.shared.js';

// `#platform` and `#disk` (package.json `imports`) stay imports: each runtime picks its module when it loads the package
// (Node's built-ins under the `node` condition, pure ones elsewhere), so the main entry holds no Node built-in.
export default gmTsdownConfig({
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    internal: 'src/internal.ts',
    'platform-node': 'src/platform/node.ts',
    'platform-web': 'src/platform/web.ts',
    'disk-node': 'src/disk/node.ts',
    'disk-none': 'src/disk/none.ts',
  },
  external: ['#platform', '#disk'],
});
