// Preloaded (`node --import ./bench/lib-max-rss.mjs …`) into a child whose peak memory a benchmark reports: at exit
// it writes one line to stderr, `gm-bench-max-rss <KiB>`, the process's peak RSS. On Linux that is `VmHWM` of
// /proc/self/status, the high-water mark of this program's own memory: `resourceUsage().maxRSS` (getrusage) keeps
// across exec the RSS of the process it was forked from, so a child of a large benchmark process would report the
// benchmark's size. Elsewhere, `resourceUsage().maxRSS`.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  let kib = process.resourceUsage().maxRSS;
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) kib = Number(hwm[1]);
  } catch {}
  process.stderr.write(`gm-bench-max-rss ${kib}\n`);
});
