// Preloaded (`node --import ./bench/lib-max-rss.mjs …`) into a child whose peak memory a benchmark reports: at exit
// it writes one line to stderr, `gm-bench-max-rss <KiB>`, the process's peak RSS (`resourceUsage().maxRSS`).
process.on('exit', () => {
  process.stderr.write(`gm-bench-max-rss ${process.resourceUsage().maxRSS}\n`);
});
