// Sends StatsD metrics with hot-shots, as a Node service does, to PerfWatch's StatsD port
// (STATSD_PORT). Used by the tst_e2e_statsd end-to-end test.
'use strict';

const StatsD = require('hot-shots');

// hot-shots samples on the client: with a rate below 1 it sends only when Math.random() is under
// the rate. Make that deterministic so the test can assert exact counts; the rate is still sent.
Math.random = () => 0;

const port = Number(process.env.STATSD_PORT);
let failed = false;
const client = new StatsD({
  host: '127.0.0.1',
  port,
  globalTags: { service: 'hotshots-shop' }, // DogStatsD tags: sets the service in PerfWatch
  errorHandler: (error) => { failed = true; console.error('hot-shots error:', error); },
});

// Timers: a processing step, HTTP requests (tags make them api events) and a sampled db query.
client.timing('checkout.validate', 12);
client.timing('checkout.validate', 12);
client.timing('checkout.validate', 30);
client.timing('http.request', 40, { method: 'GET', route: '/api/orders/17', status: 200 });
client.timing('http.request', 60, { method: 'GET', route: '/api/orders/18', status: 200 });
client.timing('http.request', 90, { method: 'GET', route: '/api/orders/19', status: 503 });
client.histogram('db.query', 5, 0.5, { operation: 'find', collection: 'orders' });

// Counters: a running total (1 + 2 + 1 at rate 0.25 = 7) and cache hits and misses.
client.increment('orders.created');
client.increment('orders.created', 2);
client.increment('orders.created', 1, 0.25);
client.increment('order_cache.hit', 8);
client.increment('order_cache.miss', 2);

// Gauges: set, then adjust with deltas: 10 + 3 - 5 = 8.
client.gauge('db.pool.in_use', 10);
client.gaugeDelta('db.pool.in_use', 3);
client.gaugeDelta('db.pool.in_use', -5);
client.gauge('db.pool.size', 20);

client.close((error) => {
  if (error || failed) {
    console.error('hot-shots close failed:', error);
    process.exit(1);
  }
  console.log('sent the metrics');
});
