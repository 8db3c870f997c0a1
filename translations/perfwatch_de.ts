<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AlertPolicy</name>
    <message>
        <source>Performance score dropped to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The score is %1 now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New high-priority advice: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n new high-priority recommendation(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Analyzer</name>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key #%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is slow: p95 %2 ms over the last %3 (threshold %4 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is slow: average %2 ms over the last %3 (threshold %4 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2% of db time)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1% of its time is spent in the database (%2 traced requests); optimise %3 first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only %1% of its time is spent in the database, so profile the handler itself: blocking calls, repeated work, large payloads.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile the handler for blocking I/O, repeated work and large payloads, and cache results that rarely change. Send request_id with db events to see which queries it runs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 fails too often: %2% of %3 requests returned 5xx over the last %4 (threshold %5%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look up the failing requests in the service&apos;s logs or error tracker; handle the failing dependency or input instead of answering 5xx.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 fails too often: %2% of %3 operations failed over the last %4 (threshold %5%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the database logs for the failing operations: timeouts, lock conflicts, constraint violations or lost connections.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is slow: average %2 ms over %3 calls in the last %4 (threshold %5 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an index for its most frequent filter (%1 of %2 calls queried these fields): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check its query plan for a full scan, index the fields it filters and sorts by, or fetch fewer documents. Send `fields` with db events to get the exact index.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 runs often without a fast path: %2 calls per hour at an average of %3 ms (thresholds %4 calls per hour, %5 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An index on the fields it queries would make each call cheaper: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database connection pool of %1 is exhausted: up to %2 requests waited for a connection over the last %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database connection pool of %1 is nearly full: %2% in use on average over the last %3 (threshold %4%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grow the pool from %1 to %2 connections (%3 × the peak of %4 in use), or shorten the time each request holds one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grow the pool to %1 connections (%2 × the peak in use), or shorten the time each request holds one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grow the pool or shorten the time each request holds a connection; report db.pool.size and db.pool.in_use for a concrete size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database connection pool of %1 is oversized: at most %2 of %3 connections in use over the last %4 (%5%, threshold %6%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shrink the pool from %1 to %2 connections to free database resources.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a processing bottleneck: average %2 ms per run over %3 runs (threshold %4 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a processing bottleneck: it takes %2% of all processing time of %3 (threshold %4%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile %1: cache or precompute its inputs, work in batches, or move it off the request path into a background job.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 processes only %2 items per second (minimum %3 per second)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Process items in batches instead of one at a time, or parallelise the step (worker pool, concurrent I/O).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 hits only %2% of %3 lookups over the last %4 (threshold %5%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check its keys (too specific, including timestamps or ids that never repeat?), lengthen the expiry, grow the cache, or warm it up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is getting slower: p95 rose from %2 ms to %3 ms (× %4) over the last %5 compared with the hour before (threshold × %6)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check what changed in the last hour: a deployment, more traffic or data, or a slower dependency.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory of %1 is growing steadily: +%2 MB/h (%3% of its average per hour) over the last %4 (R² %5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look for a leak: caches without eviction, lists or maps that only grow, listeners never removed. Compare two heap snapshots taken some minutes apart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 runs %2 up to %3 times per request (N+1 queries), in %4 requests over the last %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An unknown endpoint runs %1 up to %2 times per request (N+1 queries), in %3 requests over the last %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch the lookups: fetch everything the request needs from %1 in one query (`$in`, a JOIN or a prefetch) instead of one query per item.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 k/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 M/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 k</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 G</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d ago</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Theme</name>
    <message>
        <source>excellent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>good</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>poor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>High</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Medium</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Low</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Processing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trend</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch</name>
    <message>
        <source>cannot read the token file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot create the data folder %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot write the token file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::AppSettings</name>
    <message>
        <source>%1=%2 is not a positive %3; using %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bind address &quot;%1&quot; is not an IP address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>port %1 is outside 0-65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>StatsD port %1 is outside 0-65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the HTTP and StatsD ports must differ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refresh interval must be between 100 ms and 60 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>thresholds must be positive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>history retention must be between 24 hours and 90 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cleanup interval must be between 1 minute and 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>raw samples per key must be between 0 and 100000</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the key limit must be between 10 and 100000</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>binding %1 exposes PerfWatch beyond this machine and needs a token</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::DetailPane</name>
    <message>
        <source>API endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>database operation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>processing step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gauge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a row to see that key&apos;s latency over time and its most recent samples.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the selection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p99</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No data in this range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · service %2 · last %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Recent samples · %n kept</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Recent samples · only kept for live keys</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::EmptyStateWidget</name>
    <message>
        <source>Copy to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the first measurements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send one event with curl</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Or export OpenTelemetry traces (OTLP/HTTP JSON)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SDKs that default to port 4318 need no configuration; otherwise set the traces endpoint to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Or time requests from Python</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The dashboard appears as soon as the first event arrives. Run &lt;b&gt;perfwatch --demo&lt;/b&gt; to explore it with a simulated service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PerfWatch is listening on %1. Point a service at it with any of these:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::KeyStatsModel</name>
    <message>
        <source>%1 (service %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Above the %1 threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n failed run(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Error rate above %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apdex below 0.85: users notice the latency (T = %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throughput below the %1 minimum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rate below %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gauge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests in the selected range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operations in the selected range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs in the selected range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reports in the selected range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lookups per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lookups/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per second over the selected range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Average</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Avg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median (50th percentile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>95th percentile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>99th percentile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p99</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maximum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responses with status 500 or above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed operations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of requests that failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apdex: (satisfied + tolerating / 2) / total, with T = the slow-API threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apdex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items processed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documents per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Docs/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items processed per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Misses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most recent value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::KeyTablePage</name>
    <message>
        <source>Filter by name or service</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::KpiTile</name>
    <message>
        <source>no earlier data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>→ steady</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 pts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▲ new</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vs prev.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now: %1
The %2 before: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::MainWindow</name>
    <message>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API endpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Processing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recommendations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n endpoint(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Database operations</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Processing steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Gauges and pools</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n gauge(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Caches</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n cache(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Controls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the last %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>every %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings (thresholds, server, display, storage)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PerfWatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PerfWatch — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ingest: not listening</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ingest: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last refresh: snapshot %1 on the worker, %2 on screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All services</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 events/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 events accepted in %2 requests (%3 received)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 invalid events, %2 refused requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Events stored since start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events older than the late window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no ingest server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 events went to &quot;other&quot; keys: the key limit is reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History: off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running without a data folder: nothing is kept after exit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History: failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1
%n rollup(s) waiting to be written</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>History: saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History: on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume live updates (Ctrl+P)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause live updates (Ctrl+P)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PerfWatch keeps running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It still collects measurements. Open it again from the tray icon.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot create the folder %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot write %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::OverviewPage</name>
    <message>
        <source>5 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>15 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>6 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DB average</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache hit rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top recommendations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show all traffic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p99</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>requests/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>db ops/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>items/s (right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API 5xx</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed db operations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Performance score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The score history starts with the first analysis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No data in this range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all traffic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>average</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>minimum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>maximum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rate · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hit rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throughput · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>operations/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>runs/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lookups/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error rate · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charts show &lt;b&gt;%1&lt;/b&gt; from %2. Select a row in a table to drill into another key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>threshold</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::PerformanceEngine</name>
    <message>
        <source>The history file was damaged; it was moved to %1 and a new one started.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::RawSampleModel</name>
    <message>
        <source>%1 hits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::RecommendationModel</name>
    <message>
        <source>Priority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First seen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::RecommendationsPage</name>
    <message>
        <source>Recommendations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter recommendations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No recommendations: every rule is within its thresholds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy problem and evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the suggestion (Ctrl+C)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n in total</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n high priority</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Select a recommendation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 priority · %2 · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>first seen: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::ScoreCard</name>
    <message>
        <source>Performance score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache bonus</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Performance score · last %n min</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>no API requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p95 %1 · threshold %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no database operations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>avg %1 · threshold %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed · counts from %2, all at %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no cache lookups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hit rate %1 · needs %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>−%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::ScoreGauge</name>
    <message>
        <source>Performance score %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::SettingsDialog</name>
    <message>
        <source>PerfWatch Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thresholds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Display</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> items/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slow API request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T_api: the p95 where the score starts losing points; also the Apdex T.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slow database operation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T_db: the average where the score starts losing points.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum processing throughput</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bind address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>127.0.0.1 keeps PerfWatch private to this machine. Any other address needs a token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP port (ingest, OTLP, REST)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>StatsD port (UDP)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changing the address or a port restarts the ingest server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep running in the system tray when the window is closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notify when the score drops a band or high-priority advice appears</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language takes effect at the next start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep history for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop expired data every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw samples kept per key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most distinct keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder and the limits take effect at the next start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These values cannot be used:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::TopRecommendations</name>
    <message>
        <source>Open the recommendations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to improve right now: no rule fires in the score window.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>perfwatch::TrayAlerts</name>
    <message>
        <source>Show PerfWatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause live updates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mute notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PerfWatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PerfWatch · no data yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>PerfWatch · score %1 (%2) · %n recommendation(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
</TS>
