// A small trip service as users write them: Express 5 over PostgreSQL (node-postgres with a pool),
// one outgoing HTTP call, and a logger. It knows nothing of PerfWatch or OpenTelemetry; the test
// starts it with `node --require @opentelemetry/auto-instrumentations-node/register` and only
// OTEL_EXPORTER_OTLP_ENDPOINT (plus OTEL_SERVICE_NAME, and the exporter choices a case tests).
//
// PGHOST names the PostgreSQL socket folder (pg-cluster.sh seeds the tables). The server prints
// "listening on PORT" once it accepts requests; SIGTERM ends it after the SDK has flushed.
//
// Routes:
//   GET  /api/trips/:id        one query for the trip, then one query per point: a true N+1
//                              (trip_points, 10 times per request)
//   GET  /api/trips/:id/fare   two different queries and a call to the fare dependency
//                              (pool.query opens a pg-pool.connect span per query: no N+1)
//   POST /api/trips            an INSERT; a trip without a city fails with 422 and an ERROR log
'use strict';

const http = require('node:http');
const net = require('node:net');
const express = require('express');
const { Pool } = require('pg');
const { logs, SeverityNumber } = require('@opentelemetry/api');

const pool = new Pool({ max: 4 }); // PGHOST, PGUSER and PGDATABASE come from the environment
const log = logs.getLogger('trip-service');

// The fare dependency: a plain TCP responder speaking just enough HTTP, so that only our client
// call shows up (it is not an instrumented server of this service).
const fares = net.createServer((socket) => {
  socket.once('data', () => {
    const body = '{"fare":12.5}';
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  });
});

function getFare(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/fares/standard', agent: false }, (res) => {
      let data = '';
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve(JSON.parse(data).fare));
    }).on('error', reject);
  });
}

const app = express();
app.use(express.json());

app.get('/api/trips/:id', async (req, res) => {
  const trip = await pool.query('SELECT id, city FROM trips WHERE id = $1', [req.params.id]);
  if (trip.rowCount === 0) {
    res.status(404).json({ error: 'no such trip' });
    return;
  }
  const points = [];
  for (let seq = 1; seq <= 10; ++seq) {
    const point = await pool.query('SELECT lat, lon FROM trip_points WHERE trip_id = $1 AND seq = $2',
      [req.params.id, seq]);
    points.push(point.rows[0]);
  }
  res.json({ ...trip.rows[0], points });
});

app.get('/api/trips/:id/fare', async (req, res) => {
  const trip = await pool.query('SELECT id, city FROM trips WHERE id = $1', [req.params.id]);
  const count = await pool.query('SELECT count(*) AS n FROM trip_points WHERE trip_id = $1', [req.params.id]);
  const fare = await getFare(fares.address().port);
  res.json({ trip: trip.rows[0], points: Number(count.rows[0].n), fare });
});

app.post('/api/trips', async (req, res) => {
  if (!req.body || !req.body.city) {
    log.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'trip rejected: no city' });
    res.status(422).json({ error: 'city is required' });
    return;
  }
  const row = await pool.query('INSERT INTO trips (city) VALUES ($1) RETURNING id', [req.body.city]);
  log.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `trip ${row.rows[0].id} created` });
  res.status(201).json({ id: row.rows[0].id });
});

fares.listen(0, '127.0.0.1', () => {
  const server = app.listen(0, '127.0.0.1', () => {
    console.log(`listening on ${server.address().port}`);
  });
  process.on('SIGTERM', () => {
    // The OpenTelemetry register hook flushes on SIGTERM too; stop taking requests meanwhile.
    server.close();
    fares.close();
    pool.end();
  });
});
