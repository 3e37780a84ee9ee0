// Preloaded into a service under test only (NODE_OPTIONS=--require): on SIGUSR2 it runs a full
// garbage collection and prints the process's memory use as one JSON line on stdout, so a test can
// compare RSS after a GC without the service itself exposing any such hook.
'use strict';
const { writeSync } = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');

// The flag only takes effect for contexts created after it is set, hence the fresh context.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

let probes = 0;
process.on('SIGUSR2', () => {
  // Twice: the first pass may only queue finalizers that free more on the second.
  gc();
  gc();
  probes += 1;
  const { rss, heapUsed } = process.memoryUsage();
  writeSync(1, `${JSON.stringify({ msg: 'memory probe', probe: probes, rss, heapUsed })}\n`);
});
