<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AlertPolicy</name>
    <message>
        <source>Performance score dropped to %1</source>
        <translation>Leistungswert auf „%1“ gefallen</translation>
    </message>
    <message>
        <source>The score is %1 now.</source>
        <translation>Der Wert liegt jetzt bei %1.</translation>
    </message>
    <message>
        <source>New high-priority advice: %1</source>
        <translation>Neue dringende Empfehlung: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n new high-priority recommendation(s)</source>
        <translation>
            <numerusform>%n neue dringende Empfehlung</numerusform>
            <numerusform>%n neue dringende Empfehlungen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Analyzer</name>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>key #%1</source>
        <translation>Schlüssel #%1</translation>
    </message>
    <message>
        <source>%1 is slow: p95 %2 ms over the last %3 (threshold %4 ms)</source>
        <translation>%1 ist langsam: p95 %2 ms in den letzten %3 (Schwelle %4 ms)</translation>
    </message>
    <message>
        <source>%1 is slow: average %2 ms over the last %3 (threshold %4 ms)</source>
        <translation>%1 ist langsam: durchschnittlich %2 ms in den letzten %3 (Schwelle %4 ms)</translation>
    </message>
    <message>
        <source>%1 (%2% of db time)</source>
        <translation>%1 (%2 % der Datenbankzeit)</translation>
    </message>
    <message>
        <source>%1% of its time is spent in the database (%2 traced requests); optimise %3 first.</source>
        <translation>%1 % der Zeit entfallen auf die Datenbank (%2 verfolgte Anfragen); optimieren Sie zuerst %3.</translation>
    </message>
    <message>
        <source>Only %1% of its time is spent in the database, so profile the handler itself: blocking calls, repeated work, large payloads.</source>
        <translation>Nur %1 % der Zeit entfallen auf die Datenbank; untersuchen Sie den Handler selbst: blockierende Aufrufe, wiederholte Arbeit, große Nutzdaten.</translation>
    </message>
    <message>
        <source>Profile the handler for blocking I/O, repeated work and large payloads, and cache results that rarely change. Send request_id with db events to see which queries it runs.</source>
        <translation>Untersuchen Sie den Handler auf blockierende Ein-/Ausgabe, wiederholte Arbeit und große Nutzdaten, und cachen Sie selten wechselnde Ergebnisse. Senden Sie request_id mit den Datenbank-Ereignissen, um zu sehen, welche Abfragen er ausführt.</translation>
    </message>
    <message>
        <source>%1 fails too often: %2% of %3 requests returned 5xx over the last %4 (threshold %5%)</source>
        <translation>%1 schlägt zu oft fehl: %2 % von %3 Anfragen antworteten in den letzten %4 mit 5xx (Schwelle %5 %)</translation>
    </message>
    <message>
        <source>Look up the failing requests in the service&apos;s logs or error tracker; handle the failing dependency or input instead of answering 5xx.</source>
        <translation>Suchen Sie die fehlgeschlagenen Anfragen in den Logs oder im Fehler-Tracker des Dienstes; behandeln Sie die fehlerhafte Abhängigkeit oder Eingabe, statt mit 5xx zu antworten.</translation>
    </message>
    <message>
        <source>%1 fails too often: %2% of %3 operations failed over the last %4 (threshold %5%)</source>
        <translation>%1 schlägt zu oft fehl: %2 % von %3 Operationen scheiterten in den letzten %4 (Schwelle %5 %)</translation>
    </message>
    <message>
        <source>Check the database logs for the failing operations: timeouts, lock conflicts, constraint violations or lost connections.</source>
        <translation>Prüfen Sie die Datenbank-Logs auf die fehlgeschlagenen Operationen: Zeitüberschreitungen, Sperrkonflikte, verletzte Constraints oder verlorene Verbindungen.</translation>
    </message>
    <message>
        <source>%1 is slow: average %2 ms over %3 calls in the last %4 (threshold %5 ms)</source>
        <translation>%1 ist langsam: durchschnittlich %2 ms bei %3 Aufrufen in den letzten %4 (Schwelle %5 ms)</translation>
    </message>
    <message>
        <source>Add an index for its most frequent filter (%1 of %2 calls queried these fields): %3</source>
        <translation>Legen Sie einen Index für den häufigsten Filter an (%1 von %2 Aufrufen fragten diese Felder ab): %3</translation>
    </message>
    <message>
        <source>Check its query plan for a full scan, index the fields it filters and sorts by, or fetch fewer documents. Send `fields` with db events to get the exact index.</source>
        <translation>Prüfen Sie den Abfrageplan auf einen vollständigen Scan, indizieren Sie die Filter- und Sortierfelder oder laden Sie weniger Dokumente. Senden Sie `fields` mit den Datenbank-Ereignissen, um den genauen Index zu erhalten.</translation>
    </message>
    <message>
        <source>%1 runs often without a fast path: %2 calls per hour at an average of %3 ms (thresholds %4 calls per hour, %5 ms)</source>
        <translation>%1 läuft oft ohne schnellen Zugriffspfad: %2 Aufrufe pro Stunde mit durchschnittlich %3 ms (Schwellen %4 Aufrufe pro Stunde, %5 ms)</translation>
    </message>
    <message>
        <source>An index on the fields it queries would make each call cheaper: %1</source>
        <translation>Ein Index auf den abgefragten Feldern würde jeden Aufruf günstiger machen: %1</translation>
    </message>
    <message>
        <source>The database connection pool of %1 is exhausted: up to %2 requests waited for a connection over the last %3</source>
        <translation>Der Datenbank-Verbindungspool von %1 ist ausgeschöpft: bis zu %2 Anfragen warteten in den letzten %3 auf eine Verbindung</translation>
    </message>
    <message>
        <source>The database connection pool of %1 is nearly full: %2% in use on average over the last %3 (threshold %4%)</source>
        <translation>Der Datenbank-Verbindungspool von %1 ist fast voll: in den letzten %3 durchschnittlich zu %2 % belegt (Schwelle %4 %)</translation>
    </message>
    <message>
        <source>Grow the pool from %1 to %2 connections (%3 × the peak of %4 in use), or shorten the time each request holds one.</source>
        <translation>Vergrößern Sie den Pool von %1 auf %2 Verbindungen (%3 × die Spitze von %4 belegten) oder verkürzen Sie, wie lange jede Anfrage eine Verbindung hält.</translation>
    </message>
    <message>
        <source>Grow the pool to %1 connections (%2 × the peak in use), or shorten the time each request holds one.</source>
        <translation>Vergrößern Sie den Pool auf %1 Verbindungen (%2 × die belegte Spitze) oder verkürzen Sie, wie lange jede Anfrage eine Verbindung hält.</translation>
    </message>
    <message>
        <source>Grow the pool or shorten the time each request holds a connection; report db.pool.size and db.pool.in_use for a concrete size.</source>
        <translation>Vergrößern Sie den Pool oder verkürzen Sie, wie lange jede Anfrage eine Verbindung hält; melden Sie db.pool.size und db.pool.in_use für eine konkrete Größe.</translation>
    </message>
    <message>
        <source>The database connection pool of %1 is oversized: at most %2 of %3 connections in use over the last %4 (%5%, threshold %6%)</source>
        <translation>Der Datenbank-Verbindungspool von %1 ist zu groß: in den letzten %4 höchstens %2 von %3 Verbindungen belegt (%5 %, Schwelle %6 %)</translation>
    </message>
    <message>
        <source>Shrink the pool from %1 to %2 connections to free database resources.</source>
        <translation>Verkleinern Sie den Pool von %1 auf %2 Verbindungen, um Datenbank-Ressourcen freizugeben.</translation>
    </message>
    <message>
        <source>%1 is a processing bottleneck: average %2 ms per run over %3 runs (threshold %4 ms)</source>
        <translation>%1 ist ein Engpass der Verarbeitung: durchschnittlich %2 ms pro Lauf bei %3 Läufen (Schwelle %4 ms)</translation>
    </message>
    <message>
        <source>%1 is a processing bottleneck: it takes %2% of all processing time of %3 (threshold %4%)</source>
        <translation>%1 ist ein Engpass der Verarbeitung: der Schritt braucht %2 % der gesamten Verarbeitungszeit von %3 (Schwelle %4 %)</translation>
    </message>
    <message>
        <source>Profile %1: cache or precompute its inputs, work in batches, or move it off the request path into a background job.</source>
        <translation>Untersuchen Sie %1: Eingaben cachen oder vorberechnen, in Stapeln arbeiten oder den Schritt aus dem Anfragepfad in einen Hintergrundjob verlagern.</translation>
    </message>
    <message>
        <source>%1 processes only %2 items per second (minimum %3 per second)</source>
        <translation>%1 verarbeitet nur %2 Elemente pro Sekunde (Minimum %3 pro Sekunde)</translation>
    </message>
    <message>
        <source>Process items in batches instead of one at a time, or parallelise the step (worker pool, concurrent I/O).</source>
        <translation>Verarbeiten Sie Elemente in Stapeln statt einzeln oder parallelisieren Sie den Schritt (Worker-Pool, nebenläufige Ein-/Ausgabe).</translation>
    </message>
    <message>
        <source>%1 hits only %2% of %3 lookups over the last %4 (threshold %5%)</source>
        <translation>%1 trifft in den letzten %4 nur %2 % von %3 Zugriffen (Schwelle %5 %)</translation>
    </message>
    <message>
        <source>Check its keys (too specific, including timestamps or ids that never repeat?), lengthen the expiry, grow the cache, or warm it up.</source>
        <translation>Prüfen Sie die Schlüssel (zu spezifisch, mit Zeitstempeln oder IDs, die sich nie wiederholen?), verlängern Sie die Ablaufzeit, vergrößern Sie den Cache oder wärmen Sie ihn vor.</translation>
    </message>
    <message>
        <source>%1 is getting slower: p95 rose from %2 ms to %3 ms (× %4) over the last %5 compared with the hour before (threshold × %6)</source>
        <translation>%1 wird langsamer: p95 stieg in den letzten %5 von %2 ms auf %3 ms (× %4) gegenüber der Stunde davor (Schwelle × %6)</translation>
    </message>
    <message>
        <source>Check what changed in the last hour: a deployment, more traffic or data, or a slower dependency.</source>
        <translation>Prüfen Sie, was sich in der letzten Stunde geändert hat: ein Deployment, mehr Verkehr oder Daten oder eine langsamere Abhängigkeit.</translation>
    </message>
    <message>
        <source>Memory of %1 is growing steadily: +%2 MB/h (%3% of its average per hour) over the last %4 (R² %5)</source>
        <translation>Der Speicher von %1 wächst stetig: +%2 MB/h (%3 % des Mittelwerts pro Stunde) in den letzten %4 (R² %5)</translation>
    </message>
    <message>
        <source>Look for a leak: caches without eviction, lists or maps that only grow, listeners never removed. Compare two heap snapshots taken some minutes apart.</source>
        <translation>Suchen Sie nach einem Leck: Caches ohne Verdrängung, Listen oder Maps, die nur wachsen, nie entfernte Listener. Vergleichen Sie zwei Heap-Abbilder im Abstand einiger Minuten.</translation>
    </message>
    <message>
        <source>%1 runs %2 up to %3 times per request (N+1 queries), in %4 requests over the last %5</source>
        <translation>%1 führt %2 bis zu %3-mal pro Anfrage aus (N+1-Abfragen), in %4 Anfragen der letzten %5</translation>
    </message>
    <message>
        <source>An unknown endpoint runs %1 up to %2 times per request (N+1 queries), in %3 requests over the last %4</source>
        <translation>Ein unbekannter Endpunkt führt %1 bis zu %2-mal pro Anfrage aus (N+1-Abfragen), in %3 Anfragen der letzten %4</translation>
    </message>
    <message>
        <source>Batch the lookups: fetch everything the request needs from %1 in one query (`$in`, a JOIN or a prefetch) instead of one query per item.</source>
        <translation>Bündeln Sie die Zugriffe: Laden Sie alles, was die Anfrage aus %1 braucht, mit einer Abfrage (`$in`, ein JOIN oder ein Prefetch) statt einer Abfrage pro Element.</translation>
    </message>
    <message>
        <source>endpoints</source>
        <translation>Endpunkte</translation>
    </message>
    <message>
        <source>database operations</source>
        <translation>Datenbankoperationen</translation>
    </message>
    <message>
        <source>processing steps</source>
        <translation>Verarbeitungsschritte</translation>
    </message>
    <message>
        <source>gauges</source>
        <translation>Messwerte</translation>
    </message>
    <message>
        <source>caches</source>
        <translation>Caches</translation>
    </message>
    <message>
        <source>%1 sends more distinct %2 than PerfWatch keeps apart (%3 keys, at most %4 per service): %5 events over the last %6 are counted only under &quot;other keys&quot;</source>
        <translation>%1 sendet mehr verschiedene %2, als PerfWatch getrennt hält (%3 Schlüssel, höchstens %4 je Dienst): %5 Ereignisse der letzten %6 werden nur unter „weitere Schlüssel“ gezählt</translation>
    </message>
    <message>
        <source>%1 (%2 keys)</source>
        <translation>%1 (%2 Schlüssel)</translation>
    </message>
    <message>
        <source>Most keys come from %1: the names probably carry identifiers that are not templated. Send the route template (http.route, /orders/{id}) or a fixed operation name instead, so that one key covers them.</source>
        <translation>Die meisten Schlüssel stammen von %1: die Namen enthalten wohl Kennungen, die nicht als Platzhalter geschrieben sind. Senden Sie stattdessen die Routenvorlage (http.route, /orders/{id}) oder einen festen Operationsnamen, damit ein Schlüssel sie alle abdeckt.</translation>
    </message>
    <message>
        <source>Other services hold the keys of this kind. Template identifiers in names, or raise the key limit in Settings.</source>
        <translation>Andere Dienste belegen die Schlüssel dieser Art. Schreiben Sie Kennungen in Namen als Platzhalter, oder erhöhen Sie die Schlüsselgrenze in den Einstellungen.</translation>
    </message>
</context>
<context>
    <name>DisplayText</name>
    <message>
        <source>(other keys)</source>
        <translation>(weitere Schlüssel)</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>0/s</source>
        <translation>0/s</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>%1 k/s</source>
        <translation>%1 Tsd./s</translation>
    </message>
    <message>
        <source>%1 M/s</source>
        <translation>%1 Mio./s</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 k</source>
        <translation>%1 Tsd.</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 Mio.</translation>
    </message>
    <message>
        <source>%1 G</source>
        <translation>%1 Mrd.</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation>
            <numerusform>vor %n s</numerusform>
            <numerusform>vor %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n min</numerusform>
            <numerusform>vor %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>vor %n h</numerusform>
            <numerusform>vor %n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d ago</source>
        <translation>
            <numerusform>vor %n Tag</numerusform>
            <numerusform>vor %n Tagen</numerusform>
        </translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>0/min</source>
        <translation>0/min</translation>
    </message>
    <message>
        <source>%1/min</source>
        <translation>%1/min</translation>
    </message>
</context>
<context>
    <name>ReportChartPainter</name>
    <message>
        <source>%1 (above the chart)</source>
        <translation>%1 (über dem Diagramm)</translation>
    </message>
    <message>
        <source>d MMM</source>
        <comment>chart axis date</comment>
        <translation>d. MMM</translation>
    </message>
    <message>
        <source>No data in this period</source>
        <translation>Keine Daten in diesem Zeitraum</translation>
    </message>
</context>
<context>
    <name>ReportExporter</name>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>no report file or folder given</source>
        <translation>keine Berichtsdatei und kein Ordner angegeben</translation>
    </message>
    <message>
        <source>cannot tell what to write to %1: use a .pdf or .csv file, or a folder for every CSV file</source>
        <translation>unklar, was nach %1 geschrieben werden soll: geben Sie eine .pdf- oder .csv-Datei an, oder einen Ordner für alle CSV-Dateien</translation>
    </message>
    <message>
        <source>cannot create the folder %1</source>
        <translation>der Ordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>no history in %1: nothing to report</source>
        <translation>kein Verlauf in %1: nichts zu berichten</translation>
    </message>
    <message>
        <source>no data in the last %1 hours in %2: nothing to report</source>
        <translation>keine Daten in den letzten %1 Stunden in %2: nichts zu berichten</translation>
    </message>
</context>
<context>
    <name>ReportPdfWriter</name>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>d MMM yyyy, HH:mm</source>
        <comment>date and time format</comment>
        <translation>d. MMM yyyy, HH:mm</translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n Minute</numerusform>
            <numerusform>%n Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n Stunde</numerusform>
            <numerusform>%n Stunden</numerusform>
        </translation>
    </message>
    <message>
        <source>Performance report</source>
        <translation>Leistungsbericht</translation>
    </message>
    <message>
        <source>No services reported in this period</source>
        <translation>In diesem Zeitraum haben keine Dienste gemeldet</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Data from</source>
        <translation>Daten ab</translation>
    </message>
    <message>
        <source>Generated</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Times</source>
        <translation>Zeiten</translation>
    </message>
    <message>
        <source>local time, %1</source>
        <translation>Ortszeit, %1</translation>
    </message>
    <message>
        <source>From the analysis of the last %1, at %2.</source>
        <translation>Aus der Analyse der letzten %1, am %2.</translation>
    </message>
    <message>
        <source>The last score recorded in the period, at %1. No data arrived in the last %2, so there is no current score and no breakdown.</source>
        <translation>Der letzte im Zeitraum erfasste Wert, am %1. In den letzten %2 kamen keine Daten an, daher gibt es keinen aktuellen Wert und keine Aufschlüsselung.</translation>
    </message>
    <message>
        <source>No score: nothing was measured in this period.</source>
        <translation>Kein Wert: in diesem Zeitraum wurde nichts gemessen.</translation>
    </message>
    <message>
        <source>Over the period: average %1, lowest %2, highest %3.</source>
        <translation>Im Zeitraum: Durchschnitt %1, niedrigster %2, höchster %3.</translation>
    </message>
    <message>
        <source>PERFORMANCE SCORE</source>
        <translation>LEISTUNGSWERT</translation>
    </message>
    <message>
        <source>%1 of 100 · %2</source>
        <translation>%1 von 100 · %2</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>keine Daten</translation>
    </message>
    <message>
        <source>API latency</source>
        <translation>API-Latenz</translation>
    </message>
    <message>
        <source>p95 %1 over %2 requests</source>
        <translation>p95 %1 bei %2 Anfragen</translation>
    </message>
    <message>
        <source>0 lost at %1, all %2 at %3</source>
        <translation>0 Abzug bei %1, alle %2 bei %3</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>average %1 over %2 operations</source>
        <translation>durchschnittlich %1 bei %2 Operationen</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>%1 of %2 requests and operations failed</source>
        <translation>%1 von %2 Anfragen und Operationen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cache bonus</source>
        <translation>Cache-Bonus</translation>
    </message>
    <message>
        <source>hit rate %1 over %2 lookups</source>
        <translation>Trefferquote %1 bei %2 Zugriffen</translation>
    </message>
    <message>
        <source>+%1 at %2 or more (at least %3 lookups)</source>
        <translation>+%1 ab %2 (mindestens %3 Zugriffe)</translation>
    </message>
    <message>
        <source>Where the points went</source>
        <translation>Wohin die Punkte gingen</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>Bereich</translation>
    </message>
    <message>
        <source>Measured</source>
        <translation>Gemessen</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>Regel</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Punkte</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>100 − %1 lost + %2 bonus, rounded and kept within 0–100</source>
        <translation>100 − %1 Abzug + %2 Bonus, gerundet und auf 0–100 begrenzt</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>%1 on average</source>
        <translation>%1 im Durchschnitt</translation>
    </message>
    <message>
        <source>API p95</source>
        <translation>API p95</translation>
    </message>
    <message>
        <source>average %1</source>
        <translation>Durchschnitt %1</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <source>%1 of %2 failed</source>
        <translation>%1 von %2 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Database average</source>
        <translation>Datenbank-Durchschnitt</translation>
    </message>
    <message>
        <source>%1 operations</source>
        <translation>%1 Operationen</translation>
    </message>
    <message>
        <source>Cache hit rate</source>
        <translation>Cache-Treffer</translation>
    </message>
    <message>
        <source>%1 lookups</source>
        <translation>%1 Zugriffe</translation>
    </message>
    <message>
        <source>The period at a glance</source>
        <translation>Der Zeitraum auf einen Blick</translation>
    </message>
    <message>
        <source>Key findings</source>
        <translation>Wichtigste Befunde</translation>
    </message>
    <message>
        <source>No recommendations: every rule is within its thresholds.</source>
        <translation>Keine Empfehlungen: Alle Regeln liegen innerhalb ihrer Schwellen.</translation>
    </message>
    <message>
        <source>No recommendations were saved for this period.</source>
        <translation>Für diesen Zeitraum wurden keine Empfehlungen gespeichert.</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more.</source>
        <translation>
            <numerusform>… und %n weitere.</numerusform>
            <numerusform>… und %n weitere.</numerusform>
        </translation>
    </message>
    <message>
        <source>Contents</source>
        <translation>Inhalt</translation>
    </message>
    <message>
        <source>Over time</source>
        <translation>Im Zeitverlauf</translation>
    </message>
    <message>
        <source>All services, in steps of %1, from %2. The last, incomplete step is left out.</source>
        <translation>Alle Dienste, in Schritten von %1, ab %2. Der letzte, unvollständige Schritt fehlt.</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>slow-API threshold %1</source>
        <translation>Schwelle langsame API %1</translation>
    </message>
    <message>
        <source>No API requests in this period</source>
        <translation>Keine API-Anfragen in diesem Zeitraum</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <source>requests/s</source>
        <translation>Anfragen/s</translation>
    </message>
    <message>
        <source>database operations/s</source>
        <translation>Datenbank-Operationen/s</translation>
    </message>
    <message>
        <source>No requests or database operations in this period</source>
        <translation>Keine Anfragen oder Datenbank-Operationen in diesem Zeitraum</translation>
    </message>
    <message>
        <source>API 5xx</source>
        <translation>API 5xx</translation>
    </message>
    <message>
        <source>failed database operations</source>
        <translation>fehlgeschlagene Datenbank-Operationen</translation>
    </message>
    <message>
        <source>error-rate threshold %1</source>
        <translation>Fehlerquoten-Schwelle %1</translation>
    </message>
    <message>
        <source>Performance score</source>
        <translation>Leistungswert</translation>
    </message>
    <message>
        <source>score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>No score in this period</source>
        <translation>Kein Wert in diesem Zeitraum</translation>
    </message>
    <message>
        <source>Processing throughput</source>
        <translation>Verarbeitungsdurchsatz</translation>
    </message>
    <message>
        <source>items processed/s</source>
        <translation>verarbeitete Elemente/s</translation>
    </message>
    <message>
        <source>No data arrived in the last %1.</source>
        <translation>In den letzten %1 kamen keine Daten an.</translation>
    </message>
    <message>
        <source>%1 high, %2 medium and %3 low priority</source>
        <translation>%1 hoher, %2 mittlerer und %3 niedriger Dringlichkeit</translation>
    </message>
    <message>
        <source>%1, from the analysis of the last %2 at %3.</source>
        <translation>%1, aus der Analyse der letzten %2 am %3.</translation>
    </message>
    <message>
        <source>%1. No data arrived in the last %2: these are the recommendations PerfWatch saved at %3.</source>
        <translation>%1. In den letzten %2 kamen keine Daten an: dies sind die Empfehlungen, die PerfWatch am %3 gespeichert hat.</translation>
    </message>
    <message>
        <source>Recommendations</source>
        <translation>Empfehlungen</translation>
    </message>
    <message>
        <source>first seen: %1</source>
        <translation>zuerst gesehen: %1</translation>
    </message>
    <message>
        <source>%1 · service %2</source>
        <translation>%1 · Dienst %2</translation>
    </message>
    <message>
        <source>SUGGESTION</source>
        <translation>VORSCHLAG</translation>
    </message>
    <message>
        <source>EVIDENCE</source>
        <translation>BELEGE</translation>
    </message>
    <message>
        <source>Latency trends</source>
        <translation>Latenz-Trends</translation>
    </message>
    <message>
        <source>p95 of the last %1 against the hour before, for keys with enough samples in both; most slowed-down first.</source>
        <translation>p95 der letzten %1 gegenüber der Stunde davor, für Schlüssel mit genug Messwerten in beiden; am stärksten verlangsamte zuerst.</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source>Hour before</source>
        <translation>Stunde davor</translation>
    </message>
    <message>
        <source>Last %1</source>
        <translation>Letzte %1</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>slower</source>
        <translation>langsamer</translation>
    </message>
    <message>
        <source>faster</source>
        <translation>schneller</translation>
    </message>
    <message>
        <source>stable</source>
        <translation>stabil</translation>
    </message>
    <message>
        <source>API endpoints</source>
        <translation>API-Endpunkte</translation>
    </message>
    <message numerus="yes">
        <source>%n endpoint(s)</source>
        <translation>
            <numerusform>%n Endpunkt</numerusform>
            <numerusform>%n Endpunkte</numerusform>
        </translation>
    </message>
    <message>
        <source>No API requests in this period.</source>
        <translation>Keine API-Anfragen in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>Database operations</source>
        <translation>Datenbank-Operationen</translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n Operation</numerusform>
            <numerusform>%n Operationen</numerusform>
        </translation>
    </message>
    <message>
        <source>No database operations in this period.</source>
        <translation>Keine Datenbank-Operationen in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>Processing steps</source>
        <translation>Verarbeitungsschritte</translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n Schritt</numerusform>
            <numerusform>%n Schritte</numerusform>
        </translation>
    </message>
    <message>
        <source>No processing steps in this period.</source>
        <translation>Keine Verarbeitungsschritte in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>Caches and resources</source>
        <translation>Caches und Ressourcen</translation>
    </message>
    <message>
        <source>Gauges and pools</source>
        <translation>Messwerte und Pools</translation>
    </message>
    <message numerus="yes">
        <source>%n gauge(s)</source>
        <translation>
            <numerusform>%n Messwert</numerusform>
            <numerusform>%n Messwerte</numerusform>
        </translation>
    </message>
    <message>
        <source>No gauges in this period.</source>
        <translation>Keine Messgrößen in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>Caches</source>
        <translation>Caches</translation>
    </message>
    <message numerus="yes">
        <source>%n cache(s)</source>
        <translation>
            <numerusform>%n Cache</numerusform>
            <numerusform>%n Caches</numerusform>
        </translation>
    </message>
    <message>
        <source>No cache lookups in this period.</source>
        <translation>Keine Cache-Zugriffe in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>%1 with data in the period</source>
        <translation>%1 mit Daten im Zeitraum</translation>
    </message>
    <message>
        <source>, slowest p95 first</source>
        <translation>, langsamstes p95 zuerst</translation>
    </message>
    <message>
        <source>The first %1 are shown; the CSV export lists all of them.</source>
        <translation>Die ersten %1 sind aufgeführt; der CSV-Export enthält alle.</translation>
    </message>
    <message>
        <source>Rates are per second over the whole period.</source>
        <translation>Raten gelten pro Sekunde über den ganzen Zeitraum.</translation>
    </message>
    <message>
        <source>%1 (continued)</source>
        <translation>%1 (Fortsetzung)</translation>
    </message>
    <message>
        <source>How to read this report</source>
        <translation>So lesen Sie diesen Bericht</translation>
    </message>
    <message>
        <source>Figures cover %1 (%2), read from PerfWatch&apos;s memory and its history, which keeps every minute of every key. Rates are per second over the whole period.</source>
        <translation>Die Zahlen decken %1 (%2) ab, gelesen aus dem Speicher und dem Verlauf von PerfWatch, der jede Minute jedes Schlüssels aufbewahrt. Raten gelten pro Sekunde über den ganzen Zeitraum.</translation>
    </message>
    <message>
        <source>Percentiles come from mergeable latency sketches with at most 1% relative error. Apdex uses T = %1; 5xx responses count as frustrated.</source>
        <translation>Perzentile stammen aus zusammenführbaren Latenz-Sketches mit höchstens 1 % relativem Fehler. Apdex verwendet T = %1; 5xx-Antworten zählen als frustriert.</translation>
    </message>
    <message>
        <source>The score (0–100) looks at the last %1: up to %2 points are lost for API p95 between %3 and %4, up to %5 for the database average between %6 and %7, up to %8 for errors between %9 and %10, and a cache hit rate of %11 or more adds %12.</source>
        <translation>Der Wert (0–100) betrachtet die letzten %1: bis zu %2 Punkte Abzug für das API-p95 zwischen %3 und %4, bis zu %5 für den Datenbank-Durchschnitt zwischen %6 und %7, bis zu %8 für Fehler zwischen %9 und %10, und eine Cache-Trefferquote ab %11 bringt %12 dazu.</translation>
    </message>
    <message>
        <source>Tinted cells are above a threshold (red) or close to one (amber), as in the window. The CSV export (api_requests.csv and the other files) holds every row with unrounded numbers.</source>
        <translation>Getönte Zellen liegen über einer Schwelle (rot) oder nahe daran (gelb), wie im Fenster. Der CSV-Export (api_requests.csv und die anderen Dateien) enthält jede Zeile mit ungerundeten Zahlen.</translation>
    </message>
    <message>
        <source>Made by PerfWatch %1.</source>
        <translation>Erstellt mit PerfWatch %1.</translation>
    </message>
    <message>
        <source>PDF reports need a QGuiApplication (fonts); this process runs without one</source>
        <translation>PDF-Berichte brauchen eine QGuiApplication (Schriften); dieser Prozess läuft ohne</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>PerfWatch performance report</source>
        <translation>PerfWatch-Leistungsbericht</translation>
    </message>
    <message>
        <source>cannot start the PDF</source>
        <translation>das PDF kann nicht begonnen werden</translation>
    </message>
    <message>
        <source>Generated %1</source>
        <translation>Erstellt am %1</translation>
    </message>
    <message>
        <source>cannot add a page to the PDF</source>
        <translation>dem PDF kann keine Seite hinzugefügt werden</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Seite %1 von %2</translation>
    </message>
    <message>
        <source>cannot finish the PDF</source>
        <translation>das PDF kann nicht abgeschlossen werden</translation>
    </message>
    <message numerus="yes">
        <source>%n more, in order of priority and impact; recommendations.csv has their evidence and suggestions.</source>
        <translation>
            <numerusform>%n weitere, nach Dringlichkeit und Auswirkung geordnet; recommendations.csv enthält ihre Belege und Vorschläge.</numerusform>
            <numerusform>%n weitere, nach Dringlichkeit und Auswirkung geordnet; recommendations.csv enthält ihre Belege und Vorschläge.</numerusform>
        </translation>
    </message>
    <message>
        <source>The first %1 are listed here.</source>
        <translation>Die ersten %1 sind hier aufgeführt.</translation>
    </message>
    <message>
        <source>More recommendations</source>
        <translation>Weitere Empfehlungen</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>%1, as PerfWatch saved them from its analysis of the last %2 at %3.</source>
        <translation>%1, wie PerfWatch sie aus seiner Analyse der letzten %2 am %3 gespeichert hat.</translation>
    </message>
</context>
<context>
    <name>Theme</name>
    <message>
        <source>excellent</source>
        <translation>exzellent</translation>
    </message>
    <message>
        <source>good</source>
        <translation>gut</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>mäßig</translation>
    </message>
    <message>
        <source>poor</source>
        <translation>schlecht</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>keine Daten</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Verarbeitung</translation>
    </message>
    <message>
        <source>Resources</source>
        <translation>Ressourcen</translation>
    </message>
    <message>
        <source>Trend</source>
        <translation>Trend</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>--%1 needs a whole number, not &quot;%2&quot;</source>
        <translation>--%1 braucht eine ganze Zahl, nicht „%2“</translation>
    </message>
    <message>
        <source>PerfWatch: a zero-setup application performance monitor.</source>
        <translation>PerfWatch: ein Anwendungs-Leistungsmonitor ohne Einrichtung.</translation>
    </message>
    <message>
        <source>Serve without a window.</source>
        <translation>Ohne Fenster bereitstellen.</translation>
    </message>
    <message>
        <source>Feed a built-in simulated service.</source>
        <translation>Einen eingebauten simulierten Dienst einspeisen.</translation>
    </message>
    <message>
        <source>Address to listen on (default 127.0.0.1).</source>
        <translation>Adresse, auf der gelauscht wird (Standard 127.0.0.1).</translation>
    </message>
    <message>
        <source>HTTP port (default 4318; 0 picks one).</source>
        <translation>HTTP-Port (Standard 4318; 0 wählt einen).</translation>
    </message>
    <message>
        <source>Folder for the history database.</source>
        <translation>Ordner für die Verlaufsdatenbank.</translation>
    </message>
    <message>
        <source>Bearer token clients must send.</source>
        <translation>Bearer-Token, das Clients senden müssen.</translation>
    </message>
    <message>
        <source>Window refresh interval (default 1000).</source>
        <translation>Aktualisierungsintervall des Fensters (Standard 1000).</translation>
    </message>
    <message>
        <source>Language (en, de; default: system).</source>
        <translation>Sprache (en, de; Standard: System).</translation>
    </message>
    <message>
        <source>Write a report (FILE.pdf, FILE.csv or a folder) and exit.</source>
        <translation>Einen Bericht schreiben (DATEI.pdf, DATEI.csv oder ein Ordner) und beenden.</translation>
    </message>
    <message>
        <source>Hours the report covers (default 24).</source>
        <translation>Stunden, die der Bericht abdeckt (Standard 24).</translation>
    </message>
    <message>
        <source>Binding %1 requires a token; clients must send &quot;Authorization: Bearer &lt;token&gt;&quot; (stored in %2).</source>
        <translation>Die Bindung an %1 erfordert ein Token; Clients müssen „Authorization: Bearer &lt;token&gt;“ senden (gespeichert in %2).</translation>
    </message>
    <message>
        <source>PerfWatch %1 listening on %2 (history: %3)</source>
        <translation>PerfWatch %1 lauscht auf %2 (Verlauf: %3)</translation>
    </message>
    <message>
        <source>No display found; serving without a window.</source>
        <translation>Keine Anzeige gefunden; Bereitstellung ohne Fenster.</translation>
    </message>
    <message>
        <source>Demo service running: simulated trip app traffic.</source>
        <translation>Demo-Dienst läuft: simulierter Verkehr einer Fahrten-App.</translation>
    </message>
    <message>
        <source>PerfWatch stopped; history saved.</source>
        <translation>PerfWatch beendet; Verlauf gespeichert.</translation>
    </message>
    <message>
        <source>Page size of PDF reports: A4 (default) or Letter.</source>
        <translation>Seitengröße von PDF-Berichten: A4 (Standard) oder Letter.</translation>
    </message>
    <message>
        <source>Save PNGs of every page of the window into DIR and exit.</source>
        <translation>PNGs jeder Seite des Fensters in DIR speichern und beenden.</translation>
    </message>
    <message>
        <source>--hours needs a number of hours between 0 and 2160, not &quot;%1&quot;</source>
        <translation>--hours braucht eine Stundenzahl zwischen 0 und 2160, nicht „%1“</translation>
    </message>
    <message>
        <source>--page-size must be A4 or Letter, not &quot;%1&quot;</source>
        <translation>--page-size muss A4 oder Letter sein, nicht „%1“</translation>
    </message>
    <message>
        <source>--export-report needs the views library (a GUI build)</source>
        <translation>--export-report braucht die Views-Bibliothek (einen Build mit Oberfläche)</translation>
    </message>
    <message>
        <source>PerfWatch</source>
        <translation>PerfWatch</translation>
    </message>
    <message>
        <source>Report written: %1</source>
        <translation>Bericht geschrieben: %1</translation>
    </message>
    <message>
        <source>scheduled report failed: %1</source>
        <translation>geplanter Bericht fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>--screenshot needs the window (a display, not --headless)</source>
        <translation>--screenshot braucht das Fenster (eine Anzeige, nicht --headless)</translation>
    </message>
    <message>
        <source>StatsD UDP port (default 8125; 0 picks one).</source>
        <translation>StatsD-UDP-Port (Standard 8125; 0 wählt einen freien).</translation>
    </message>
    <message>
        <source>HTTP ingest threads (default 2; at most the number of CPUs).</source>
        <translation>HTTP-Annahme-Threads (Standard 2; höchstens die Zahl der CPUs).</translation>
    </message>
    <message>
        <source>StatsD listening on udp://%1:%2; web dashboard at %3/performance</source>
        <translation>StatsD empfängt auf udp://%1:%2; Web-Dashboard unter %3/performance</translation>
    </message>
    <message>
        <source>Note: StatsD has no authentication; anyone who reaches UDP port %1 can send metrics.</source>
        <translation>Hinweis: StatsD hat keine Authentifizierung; wer UDP-Port %1 erreicht, kann Metriken senden.</translation>
    </message>
    <message>
        <source>OTLP/gRPC port (default 4317; 0 picks one; off turns it off).</source>
        <translation>OTLP/gRPC-Port (Standard 4317; 0 wählt einen; off schaltet ihn ab).</translation>
    </message>
    <message>
        <source>OTLP/gRPC listening on %1:%2</source>
        <translation>OTLP/gRPC empfängt auf %1:%2</translation>
    </message>
    <message>
        <source>How often the ingest journal is synced to disk (default 1000; 0: every batch).</source>
        <translation>Wie oft das Annahme-Journal auf die Platte geschrieben wird (Standard 1000; 0: nach jedem Stapel).</translation>
    </message>
    <message>
        <source>Do not journal ingest (benchmarks): a crash then loses what arrived since the last flush.</source>
        <translation>Kein Annahme-Journal (für Messungen): ein Absturz verliert dann, was seit dem letzten Schreiben ankam.</translation>
    </message>
    <message>
        <source>How often the changed rollups are checkpointed into the ingest journal, so start-up replays only what came after the last checkpoint (default 2000; 0: none).</source>
        <translation>Wie oft die geänderten Minutenwerte als Sicherungspunkt ins Annahme-Journal geschrieben werden, damit der Start nur nachholt, was nach dem letzten Sicherungspunkt kam (Standard 2000; 0: keine).</translation>
    </message>
</context>
<context>
    <name>perfwatch</name>
    <message>
        <source>cannot read the token file %1: %2</source>
        <translation>die Token-Datei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>cannot create the data folder %1</source>
        <translation>der Datenordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>cannot write the token file %1: %2</source>
        <translation>die Token-Datei %1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>perfwatch::AppSettings</name>
    <message>
        <source>%1=%2 is not a positive %3; using %4</source>
        <translation>%1=%2 ist keine positive %3; verwende %4</translation>
    </message>
    <message>
        <source>whole number</source>
        <translation>ganze Zahl</translation>
    </message>
    <message>
        <source>number</source>
        <translation>Zahl</translation>
    </message>
    <message>
        <source>bind address &quot;%1&quot; is not an IP address</source>
        <translation>die Bind-Adresse „%1“ ist keine IP-Adresse</translation>
    </message>
    <message>
        <source>port %1 is outside 0-65535</source>
        <translation>Port %1 liegt außerhalb von 0–65535</translation>
    </message>
    <message>
        <source>StatsD port %1 is outside 0-65535</source>
        <translation>StatsD-Port %1 liegt außerhalb von 0–65535</translation>
    </message>
    <message>
        <source>the HTTP and StatsD ports must differ</source>
        <translation>HTTP- und StatsD-Port müssen sich unterscheiden</translation>
    </message>
    <message>
        <source>refresh interval must be between 100 ms and 60 s</source>
        <translation>das Aktualisierungsintervall muss zwischen 100 ms und 60 s liegen</translation>
    </message>
    <message>
        <source>thresholds must be positive</source>
        <translation>Schwellen müssen positiv sein</translation>
    </message>
    <message>
        <source>history retention must be between 24 hours and 90 days</source>
        <translation>die Aufbewahrung des Verlaufs muss zwischen 24 Stunden und 90 Tagen liegen</translation>
    </message>
    <message>
        <source>cleanup interval must be between 1 minute and 24 hours</source>
        <translation>das Bereinigungsintervall muss zwischen 1 Minute und 24 Stunden liegen</translation>
    </message>
    <message>
        <source>raw samples per key must be between 0 and 100000</source>
        <translation>Rohwerte pro Schlüssel müssen zwischen 0 und 100000 liegen</translation>
    </message>
    <message>
        <source>the key limit must be between 10 and 100000</source>
        <translation>die Schlüsselgrenze muss zwischen 10 und 100000 liegen</translation>
    </message>
    <message>
        <source>binding %1 exposes PerfWatch beyond this machine and needs a token</source>
        <translation>die Bindung an %1 macht PerfWatch über diesen Rechner hinaus erreichbar und erfordert ein Token</translation>
    </message>
    <message>
        <source>the report period must be between 1 hour and the history retention (%1 hours)</source>
        <translation>der Berichtszeitraum muss zwischen 1 Stunde und der Aufbewahrungsdauer des Verlaufs (%1 Stunden) liegen</translation>
    </message>
    <message>
        <source>the report page size must be A4 or Letter, not &quot;%1&quot;</source>
        <translation>die Seitengröße von Berichten muss A4 oder Letter sein, nicht „%1“</translation>
    </message>
    <message>
        <source>scheduled reports must be written every 1 to 168 hours</source>
        <translation>geplante Berichte müssen alle 1 bis 168 Stunden geschrieben werden</translation>
    </message>
    <message>
        <source>scheduled reports need a folder to write into</source>
        <translation>geplante Berichte brauchen einen Ordner, in den sie geschrieben werden</translation>
    </message>
    <message>
        <source>ingest threads must be between 1 and 64</source>
        <translation>die Zahl der Annahme-Threads muss zwischen 1 und 64 liegen</translation>
    </message>
    <message>
        <source>OTLP/gRPC port %1 is outside 0-65535</source>
        <translation>OTLP/gRPC-Port %1 liegt nicht zwischen 0 und 65535</translation>
    </message>
    <message>
        <source>the HTTP and OTLP/gRPC ports must differ</source>
        <translation>HTTP- und OTLP/gRPC-Port müssen verschieden sein</translation>
    </message>
    <message>
        <source>--journal-sync-ms must be between 0 (every batch) and 60000</source>
        <translation>--journal-sync-ms muss zwischen 0 (nach jedem Stapel) und 60000 liegen</translation>
    </message>
    <message>
        <source>--journal-checkpoint-ms must be 0 (none) or between 100 and 600000</source>
        <translation>--journal-checkpoint-ms muss 0 (keine) sein oder zwischen 100 und 600000 liegen</translation>
    </message>
</context>
<context>
    <name>perfwatch::DetailPane</name>
    <message>
        <source>API endpoint</source>
        <translation>API-Endpunkt</translation>
    </message>
    <message>
        <source>database operation</source>
        <translation>Datenbank-Operation</translation>
    </message>
    <message>
        <source>processing step</source>
        <translation>Verarbeitungsschritt</translation>
    </message>
    <message>
        <source>gauge</source>
        <translation>Messwert</translation>
    </message>
    <message>
        <source>cache</source>
        <translation>Cache</translation>
    </message>
    <message>
        <source>Select a row to see that key&apos;s latency over time and its most recent samples.</source>
        <translation>Wählen Sie eine Zeile, um die Latenz dieses Schlüssels im Zeitverlauf und seine jüngsten Messungen zu sehen.</translation>
    </message>
    <message>
        <source>Clear the selection</source>
        <translation>Auswahl aufheben</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>No data in this range</source>
        <translation>Keine Daten in diesem Zeitraum</translation>
    </message>
    <message>
        <source>Recent samples</source>
        <translation>Jüngste Messungen</translation>
    </message>
    <message>
        <source>%1 · service %2 · last %3</source>
        <translation>%1 · Dienst %2 · letzte %3</translation>
    </message>
    <message>
        <source>threshold</source>
        <translation>Schwelle</translation>
    </message>
    <message numerus="yes">
        <source>Recent samples · %n kept</source>
        <translation>
            <numerusform>Jüngste Messungen · %n gespeichert</numerusform>
            <numerusform>Jüngste Messungen · %n gespeichert</numerusform>
        </translation>
    </message>
    <message>
        <source>Recent samples · only kept for live keys</source>
        <translation>Jüngste Messungen · nur für aktive Schlüssel gespeichert</translation>
    </message>
</context>
<context>
    <name>perfwatch::EmptyStateWidget</name>
    <message>
        <source>Copy to the clipboard</source>
        <translation>In die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>Waiting for the first measurements</source>
        <translation>Warte auf die ersten Messungen</translation>
    </message>
    <message>
        <source>Send one event with curl</source>
        <translation>Ein Ereignis mit curl senden</translation>
    </message>
    <message>
        <source>Or export OpenTelemetry traces (OTLP/HTTP JSON)</source>
        <translation>Oder OpenTelemetry-Traces exportieren (OTLP/HTTP JSON)</translation>
    </message>
    <message>
        <source>SDKs that default to port 4318 need no configuration; otherwise set the traces endpoint to:</source>
        <translation>SDKs, die standardmäßig Port 4318 nutzen, brauchen keine Konfiguration; andernfalls setzen Sie den Traces-Endpunkt auf:</translation>
    </message>
    <message>
        <source>Or time requests from Python</source>
        <translation>Oder Anfragen aus Python messen</translation>
    </message>
    <message>
        <source>The dashboard appears as soon as the first event arrives. Run &lt;b&gt;perfwatch --demo&lt;/b&gt; to explore it with a simulated service.</source>
        <translation>Das Dashboard erscheint, sobald das erste Ereignis eintrifft. Starten Sie &lt;b&gt;perfwatch --demo&lt;/b&gt;, um es mit einem simulierten Dienst zu erkunden.</translation>
    </message>
    <message>
        <source>PerfWatch is listening on %1. Point a service at it with any of these:</source>
        <translation>PerfWatch lauscht auf %1. Verbinden Sie einen Dienst auf eine dieser Arten:</translation>
    </message>
</context>
<context>
    <name>perfwatch::KeyStatsModel</name>
    <message>
        <source>%1 (service %2)</source>
        <translation>%1 (Dienst %2)</translation>
    </message>
    <message>
        <source>Above the %1 threshold</source>
        <translation>Über der Schwelle von %1</translation>
    </message>
    <message numerus="yes">
        <source>%n failed run(s)</source>
        <translation>
            <numerusform>%n fehlgeschlagener Lauf</numerusform>
            <numerusform>%n fehlgeschlagene Läufe</numerusform>
        </translation>
    </message>
    <message>
        <source>Error rate above %1</source>
        <translation>Fehlerquote über %1</translation>
    </message>
    <message>
        <source>Apdex below 0.85: users notice the latency (T = %1)</source>
        <translation>Apdex unter 0,85: Nutzer bemerken die Latenz (T = %1)</translation>
    </message>
    <message>
        <source>Throughput below the %1 minimum</source>
        <translation>Durchsatz unter dem Minimum von %1</translation>
    </message>
    <message>
        <source>Hit rate below %1</source>
        <translation>Trefferquote unter %1</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>Operation</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Gauge</source>
        <translation>Messwert</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>Cache</translation>
    </message>
    <message>
        <source>Requests in the selected range</source>
        <translation>Anfragen im gewählten Zeitraum</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Operations in the selected range</source>
        <translation>Operationen im gewählten Zeitraum</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>Operationen</translation>
    </message>
    <message>
        <source>Runs in the selected range</source>
        <translation>Läufe im gewählten Zeitraum</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>Reports in the selected range</source>
        <translation>Meldungen im gewählten Zeitraum</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Messungen</translation>
    </message>
    <message>
        <source>Lookups per second</source>
        <translation>Zugriffe pro Sekunde</translation>
    </message>
    <message>
        <source>Lookups/s</source>
        <translation>Zugriffe/s</translation>
    </message>
    <message>
        <source>Per second over the selected range</source>
        <translation>Pro Sekunde im gewählten Zeitraum</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Average</source>
        <translation>Durchschnitt</translation>
    </message>
    <message>
        <source>Avg</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <source>Median (50th percentile)</source>
        <translation>Median (50. Perzentil)</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>95th percentile</source>
        <translation>95. Perzentil</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>99th percentile</source>
        <translation>99. Perzentil</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>Minimum</source>
        <translation>Minimum</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>Min.</translation>
    </message>
    <message>
        <source>Maximum</source>
        <translation>Maximum</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Max.</translation>
    </message>
    <message>
        <source>Responses with status 500 or above</source>
        <translation>Antworten mit Status 500 oder höher</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Failed operations</source>
        <translation>Fehlgeschlagene Operationen</translation>
    </message>
    <message>
        <source>Share of requests that failed</source>
        <translation>Anteil fehlgeschlagener Anfragen</translation>
    </message>
    <message>
        <source>Error %</source>
        <translation>Fehler %</translation>
    </message>
    <message>
        <source>Apdex: (satisfied + tolerating / 2) / total, with T = the slow-API threshold</source>
        <translation>Apdex: (zufrieden + tolerierend / 2) / gesamt, mit T = der Schwelle für langsame API-Anfragen</translation>
    </message>
    <message>
        <source>Apdex</source>
        <translation>Apdex</translation>
    </message>
    <message>
        <source>Items processed</source>
        <translation>Verarbeitete Elemente</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Elemente</translation>
    </message>
    <message>
        <source>Documents per second</source>
        <translation>Dokumente pro Sekunde</translation>
    </message>
    <message>
        <source>Docs/s</source>
        <translation>Dok./s</translation>
    </message>
    <message>
        <source>Items processed per second</source>
        <translation>Verarbeitete Elemente pro Sekunde</translation>
    </message>
    <message>
        <source>Items/s</source>
        <translation>Elem./s</translation>
    </message>
    <message>
        <source>Hits</source>
        <translation>Treffer</translation>
    </message>
    <message>
        <source>Misses</source>
        <translation>Fehlgriffe</translation>
    </message>
    <message>
        <source>Hit rate</source>
        <translation>Trefferquote</translation>
    </message>
    <message>
        <source>Most recent value</source>
        <translation>Jüngster Wert</translation>
    </message>
    <message>
        <source>Last</source>
        <translation>Zuletzt</translation>
    </message>
    <message>
        <source>≈: interpolated inside the histogram buckets the service sent (OpenTelemetry metrics); the count, average, minimum and maximum are exact</source>
        <translation>≈: innerhalb der Histogramm-Buckets des Dienstes interpoliert (OpenTelemetry-Metriken); Anzahl, Durchschnitt, Minimum und Maximum sind exakt</translation>
    </message>
    <message>
        <source>Events of names beyond the key limit of service %1: only their counts are kept. The recommendations say which names took the keys.</source>
        <translation>Ereignisse von Namen jenseits der Schlüsselgrenze des Dienstes %1: nur ihre Anzahlen werden geführt. Die Empfehlungen nennen die Namen, die die Schlüssel belegen.</translation>
    </message>
</context>
<context>
    <name>perfwatch::KeyTablePage</name>
    <message>
        <source>Filter by name or service</source>
        <translation>Nach Name oder Dienst filtern</translation>
    </message>
</context>
<context>
    <name>perfwatch::KpiTile</name>
    <message>
        <source>no earlier data</source>
        <translation>keine früheren Daten</translation>
    </message>
    <message>
        <source>→ steady</source>
        <translation>→ stabil</translation>
    </message>
    <message>
        <source>%1 %2 pts</source>
        <translation>%1 %2 Pkt.</translation>
    </message>
    <message>
        <source>▲ new</source>
        <translation>▲ neu</translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation>%1 %2 %</translation>
    </message>
    <message>
        <source>vs prev.</source>
        <translation>ggü. vorher</translation>
    </message>
    <message>
        <source>Now: %1
The %2 before: %3</source>
        <translation>Jetzt: %1
Die %2 davor: %3</translation>
    </message>
</context>
<context>
    <name>perfwatch::MainWindow</name>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>API endpoints</source>
        <translation>API-Endpunkte</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Verarbeitung</translation>
    </message>
    <message>
        <source>Resources</source>
        <translation>Ressourcen</translation>
    </message>
    <message>
        <source>Recommendations</source>
        <translation>Empfehlungen</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Strg+%2)</translation>
    </message>
    <message numerus="yes">
        <source>%n endpoint(s)</source>
        <translation>
            <numerusform>%n Endpunkt</numerusform>
            <numerusform>%n Endpunkte</numerusform>
        </translation>
    </message>
    <message>
        <source>Database operations</source>
        <translation>Datenbank-Operationen</translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n Operation</numerusform>
            <numerusform>%n Operationen</numerusform>
        </translation>
    </message>
    <message>
        <source>Processing steps</source>
        <translation>Verarbeitungsschritte</translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n Schritt</numerusform>
            <numerusform>%n Schritte</numerusform>
        </translation>
    </message>
    <message>
        <source>Gauges and pools</source>
        <translation>Messwerte und Pools</translation>
    </message>
    <message numerus="yes">
        <source>%n gauge(s)</source>
        <translation>
            <numerusform>%n Messwert</numerusform>
            <numerusform>%n Messwerte</numerusform>
        </translation>
    </message>
    <message>
        <source>Caches</source>
        <translation>Caches</translation>
    </message>
    <message numerus="yes">
        <source>%n cache(s)</source>
        <translation>
            <numerusform>%n Cache</numerusform>
            <numerusform>%n Caches</numerusform>
        </translation>
    </message>
    <message>
        <source>Controls</source>
        <translation>Steuerung</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source>Show the last %1</source>
        <translation>Die letzten %1 zeigen</translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation>Aktualisierungsintervall</translation>
    </message>
    <message>
        <source>every %1</source>
        <translation>alle %1</translation>
    </message>
    <message>
        <source>PerfWatch</source>
        <translation>PerfWatch</translation>
    </message>
    <message>
        <source>PerfWatch — %1</source>
        <translation>PerfWatch — %1</translation>
    </message>
    <message>
        <source>Ingest: not listening</source>
        <translation>Empfang: nicht aktiv</translation>
    </message>
    <message>
        <source>Ingest: %1</source>
        <translation>Empfang: %1</translation>
    </message>
    <message>
        <source>Last refresh: snapshot %1 on the worker, %2 on screen</source>
        <translation>Letzte Aktualisierung: Momentaufnahme %1 im Hintergrund, %2 auf dem Bildschirm</translation>
    </message>
    <message>
        <source>All services</source>
        <translation>Alle Dienste</translation>
    </message>
    <message>
        <source>%1 events/s</source>
        <translation>%1 Ereignisse/s</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 Ereignisse</translation>
    </message>
    <message>
        <source>%1 rejected</source>
        <translation>%1 abgelehnt</translation>
    </message>
    <message>
        <source>%1 invalid events, %2 refused requests</source>
        <translation>%1 ungültige Ereignisse, %2 abgewiesene Anfragen</translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s)</source>
        <translation>
            <numerusform>%n Verbindung</numerusform>
            <numerusform>%n Verbindungen</numerusform>
        </translation>
    </message>
    <message>
        <source>Events stored since start</source>
        <translation>Seit dem Start gespeicherte Ereignisse</translation>
    </message>
    <message>
        <source>%1 dropped</source>
        <translation>%1 verworfen</translation>
    </message>
    <message>
        <source>Events older than the late window</source>
        <translation>Ereignisse, die älter als das Nachlieferfenster sind</translation>
    </message>
    <message>
        <source>no ingest server</source>
        <translation>kein Empfangsserver</translation>
    </message>
    <message>
        <source>%1 events went to &quot;other&quot; keys: the key limit is reached</source>
        <translation>%1 Ereignisse landeten in „other“-Schlüsseln: die Schlüsselgrenze ist erreicht</translation>
    </message>
    <message>
        <source>History: off</source>
        <translation>Verlauf: aus</translation>
    </message>
    <message>
        <source>Running without a data folder: nothing is kept after exit</source>
        <translation>Ohne Datenordner: nach dem Beenden bleibt nichts erhalten</translation>
    </message>
    <message>
        <source>History: failing</source>
        <translation>Verlauf: Fehler</translation>
    </message>
    <message numerus="yes">
        <source>%1
%n rollup(s) waiting to be written</source>
        <translation>
            <numerusform>%1
%n Zusammenfassung wartet aufs Schreiben</numerusform>
            <numerusform>%1
%n Zusammenfassungen warten aufs Schreiben</numerusform>
        </translation>
    </message>
    <message>
        <source>History: saved %1</source>
        <translation>Verlauf: gespeichert %1</translation>
    </message>
    <message>
        <source>History: on</source>
        <translation>Verlauf: an</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Resume live updates (Ctrl+P)</source>
        <translation>Live-Aktualisierung fortsetzen (Strg+P)</translation>
    </message>
    <message>
        <source>Pause live updates (Ctrl+P)</source>
        <translation>Live-Aktualisierung anhalten (Strg+P)</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>PerfWatch keeps running</source>
        <translation>PerfWatch läuft weiter</translation>
    </message>
    <message>
        <source>It still collects measurements. Open it again from the tray icon.</source>
        <translation>Es sammelt weiter Messungen. Öffnen Sie es wieder über das Symbol im Infobereich.</translation>
    </message>
    <message>
        <source>cannot create the folder %1</source>
        <translation>der Ordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message numerus="yes">
        <source>every %n s</source>
        <translation>
            <numerusform>alle %n s</numerusform>
            <numerusform>alle %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Settings (thresholds, server, display, storage, reports)</source>
        <translation>Einstellungen (Schwellen, Server, Anzeige, Speicher, Berichte)</translation>
    </message>
    <message>
        <source>%1 events stored since start; over HTTP: %2 events in %3 requests (%4 received)</source>
        <translation>%1 Ereignisse seit dem Start gespeichert; über HTTP: %2 Ereignisse in %3 Anfragen (%4 empfangen)</translation>
    </message>
    <message>
        <source>Export report (PDF)…</source>
        <translation>Bericht exportieren (PDF) …</translation>
    </message>
    <message>
        <source>Export table (CSV)…</source>
        <translation>Tabelle exportieren (CSV) …</translation>
    </message>
    <message>
        <source>Export all (CSV)…</source>
        <translation>Alles exportieren (CSV) …</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Export the report as PDF, or tables as CSV</source>
        <translation>Den Bericht als PDF oder Tabellen als CSV exportieren</translation>
    </message>
    <message>
        <source>Writes the table on screen, filtered and sorted as shown</source>
        <translation>Schreibt die angezeigte Tabelle, gefiltert und sortiert wie sichtbar</translation>
    </message>
    <message>
        <source>Open a table page (API endpoints, database, …) first</source>
        <translation>Öffnen Sie zuerst eine Tabellenseite (API-Endpunkte, Datenbank, …)</translation>
    </message>
    <message>
        <source>Export report (PDF)</source>
        <translation>Bericht exportieren (PDF)</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF-Dokumente (*.pdf)</translation>
    </message>
    <message>
        <source>Export table (CSV)</source>
        <translation>Tabelle exportieren (CSV)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Export all tables (CSV) into a new folder in…</source>
        <translation>Alle Tabellen (CSV) in einen neuen Ordner exportieren in …</translation>
    </message>
    <message numerus="yes">
        <source>Writing the report of the last %n hour(s)…</source>
        <translation>
            <numerusform>Der Bericht der letzten %n Stunde wird geschrieben …</numerusform>
            <numerusform>Der Bericht der letzten %n Stunden wird geschrieben …</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Writing every table of the last %n hour(s)…</source>
        <translation>
            <numerusform>Alle Tabellen der letzten %n Stunde werden geschrieben …</numerusform>
            <numerusform>Alle Tabellen der letzten %n Stunden werden geschrieben …</numerusform>
        </translation>
    </message>
    <message>
        <source>Writing the table…</source>
        <translation>Die Tabelle wird geschrieben …</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen …</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Gespeichert: %1</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n file(s) in %1</source>
        <translation>
            <numerusform>%n Datei in %1 gespeichert</numerusform>
            <numerusform>%n Dateien in %1 gespeichert</numerusform>
        </translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written</source>
        <translation>Export abgebrochen; nichts wurde geschrieben</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>The export could not be written:
%1</source>
        <translation>Der Export konnte nicht geschrieben werden:
%1</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Scheduled report failed</source>
        <translation>Geplanter Bericht fehlgeschlagen</translation>
    </message>
    <message>
        <source>At %1: %2</source>
        <translation>Um %1: %2</translation>
    </message>
    <message>
        <source>Scheduled report failed: %1</source>
        <translation>Geplanter Bericht fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Report saved %1</source>
        <translation>Bericht gespeichert %1</translation>
    </message>
</context>
<context>
    <name>perfwatch::OverviewPage</name>
    <message>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <source>6 h</source>
        <translation>6 h</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 h</translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation>Anfragen/s</translation>
    </message>
    <message>
        <source>API p95</source>
        <translation>API p95</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <source>DB average</source>
        <translation>DB-Mittel</translation>
    </message>
    <message>
        <source>Cache hit rate</source>
        <translation>Cache-Treffer</translation>
    </message>
    <message>
        <source>Top recommendations</source>
        <translation>Wichtigste Empfehlungen</translation>
    </message>
    <message>
        <source>View all</source>
        <translation>Alle anzeigen</translation>
    </message>
    <message>
        <source>Show all traffic</source>
        <translation>Gesamten Verkehr zeigen</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>requests/s</source>
        <translation>Anfragen/s</translation>
    </message>
    <message>
        <source>db ops/s</source>
        <translation>DB-Op./s</translation>
    </message>
    <message>
        <source>items/s (right)</source>
        <translation>Elemente/s (rechts)</translation>
    </message>
    <message>
        <source>API 5xx</source>
        <translation>API 5xx</translation>
    </message>
    <message>
        <source>failed db operations</source>
        <translation>fehlgeschlagene DB-Operationen</translation>
    </message>
    <message>
        <source>score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Performance score</source>
        <translation>Leistungswert</translation>
    </message>
    <message>
        <source>The score history starts with the first analysis</source>
        <translation>Der Verlauf beginnt mit der ersten Analyse</translation>
    </message>
    <message>
        <source>No data in this range</source>
        <translation>Keine Daten in diesem Zeitraum</translation>
    </message>
    <message>
        <source>all traffic</source>
        <translation>gesamter Verkehr</translation>
    </message>
    <message>
        <source>Latency · %1</source>
        <translation>Latenz · %1</translation>
    </message>
    <message>
        <source>Value · %1</source>
        <translation>Wert · %1</translation>
    </message>
    <message>
        <source>average</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <source>minimum</source>
        <translation>Minimum</translation>
    </message>
    <message>
        <source>maximum</source>
        <translation>Maximum</translation>
    </message>
    <message>
        <source>Hit rate · %1</source>
        <translation>Trefferquote · %1</translation>
    </message>
    <message>
        <source>hit rate</source>
        <translation>Trefferquote</translation>
    </message>
    <message>
        <source>Throughput · %1</source>
        <translation>Durchsatz · %1</translation>
    </message>
    <message>
        <source>operations/s</source>
        <translation>Operationen/s</translation>
    </message>
    <message>
        <source>runs/s</source>
        <translation>Läufe/s</translation>
    </message>
    <message>
        <source>lookups/s</source>
        <translation>Zugriffe/s</translation>
    </message>
    <message>
        <source>Error rate · %1</source>
        <translation>Fehlerquote · %1</translation>
    </message>
    <message>
        <source>Charts show &lt;b&gt;%1&lt;/b&gt; from %2. Select a row in a table to drill into another key.</source>
        <translation>Die Diagramme zeigen &lt;b&gt;%1&lt;/b&gt; von %2. Wählen Sie eine Zeile in einer Tabelle, um einen anderen Schlüssel zu untersuchen.</translation>
    </message>
    <message>
        <source>threshold</source>
        <translation>Schwelle</translation>
    </message>
    <message>
        <source>Error logs</source>
        <translation>Fehler-Logs</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weiterer</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>none in 5 min</source>
        <translation>keine in 5 min</translation>
    </message>
    <message numerus="yes">
        <source>%n in 5 min</source>
        <translation>
            <numerusform>%n in 5 min</numerusform>
            <numerusform>%n in 5 min</numerusform>
        </translation>
    </message>
    <message>
        <source>ERROR and FATAL log records over the last 5 minutes (OpenTelemetry logs): %1 in 5 min, %2 since PerfWatch started%3</source>
        <translation>Log-Einträge mit ERROR und FATAL in den letzten 5 Minuten (OpenTelemetry-Logs): %1 in 5 min, %2 seit dem Start von PerfWatch%3</translation>
    </message>
    <message>
        <source>; most from %1</source>
        <translation>; die meisten von %1</translation>
    </message>
</context>
<context>
    <name>perfwatch::PerformanceEngine</name>
    <message>
        <source>The history file was damaged; it was moved to %1 and a new one started.</source>
        <translation>Die Verlaufsdatei war beschädigt; sie wurde nach %1 verschoben und eine neue angelegt.</translation>
    </message>
    <message>
        <source>%1; serving live data without history, trying again every %2 s</source>
        <translation>%1; zeige Live-Daten ohne Verlauf, neuer Versuch alle %2 s</translation>
    </message>
    <message>
        <source>Cannot write the history in %1: the folder or its database is read-only</source>
        <translation>Der Verlauf in %1 kann nicht geschrieben werden: der Ordner oder seine Datenbank ist schreibgeschützt</translation>
    </message>
    <message numerus="yes">
        <source>The ingest journal of the previous run (%n record(s)) was not replayed: the history is unavailable</source>
        <translation>
            <numerusform>Das Annahme-Journal des letzten Laufs (%n Eintrag) wurde nicht eingespielt: der Verlauf ist nicht verfügbar</numerusform>
            <numerusform>Das Annahme-Journal des letzten Laufs (%n Einträge) wurde nicht eingespielt: der Verlauf ist nicht verfügbar</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::RawSampleModel</name>
    <message>
        <source>%1 hits</source>
        <translation>%1 Treffer</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Hits</source>
        <translation>Treffer</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Dokumente</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Elemente</translation>
    </message>
</context>
<context>
    <name>perfwatch::RecommendationModel</name>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>Bereich</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Suggestion</source>
        <translation>Vorschlag</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source>First seen</source>
        <translation>Zuerst gesehen</translation>
    </message>
</context>
<context>
    <name>perfwatch::RecommendationsPage</name>
    <message>
        <source>Recommendations</source>
        <translation>Empfehlungen</translation>
    </message>
    <message>
        <source>Filter recommendations</source>
        <translation>Empfehlungen filtern</translation>
    </message>
    <message>
        <source>No recommendations: every rule is within its thresholds.</source>
        <translation>Keine Empfehlungen: Alle Regeln liegen innerhalb ihrer Schwellen.</translation>
    </message>
    <message>
        <source>Copy suggestion</source>
        <translation>Vorschlag kopieren</translation>
    </message>
    <message>
        <source>Copy problem and evidence</source>
        <translation>Problem und Belege kopieren</translation>
    </message>
    <message>
        <source>Suggestion</source>
        <translation>Vorschlag</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the suggestion (Ctrl+C)</source>
        <translation>Den Vorschlag kopieren (Strg+C)</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>Belege</translation>
    </message>
    <message numerus="yes">
        <source>%n in total</source>
        <translation>
            <numerusform>%n insgesamt</numerusform>
            <numerusform>%n insgesamt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n high priority</source>
        <translation>
            <numerusform>%n dringend</numerusform>
            <numerusform>%n dringend</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a recommendation</source>
        <translation>Wählen Sie eine Empfehlung</translation>
    </message>
    <message>
        <source>%1 priority · %2 · %3</source>
        <translation>Priorität %1 · %2 · %3</translation>
    </message>
    <message>
        <source>first seen: %1</source>
        <translation>zuerst gesehen: %1</translation>
    </message>
</context>
<context>
    <name>perfwatch::ReportCsv</name>
    <message>
        <source>cannot create the folder %1</source>
        <translation>der Ordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>perfwatch::ScoreCard</name>
    <message>
        <source>Performance score</source>
        <translation>Leistungswert</translation>
    </message>
    <message>
        <source>API latency</source>
        <translation>API-Latenz</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Cache bonus</source>
        <translation>Cache-Bonus</translation>
    </message>
    <message numerus="yes">
        <source>Performance score · last %n min</source>
        <translation>
            <numerusform>Leistungswert · letzte %n min</numerusform>
            <numerusform>Leistungswert · letzte %n min</numerusform>
        </translation>
    </message>
    <message>
        <source>no API requests</source>
        <translation>keine API-Anfragen</translation>
    </message>
    <message>
        <source>p95 %1 · threshold %2</source>
        <translation>p95 %1 · Schwelle %2</translation>
    </message>
    <message>
        <source>no database operations</source>
        <translation>keine Datenbank-Operationen</translation>
    </message>
    <message>
        <source>avg %1 · threshold %2</source>
        <translation>Mittel %1 · Schwelle %2</translation>
    </message>
    <message>
        <source>no requests</source>
        <translation>keine Anfragen</translation>
    </message>
    <message>
        <source>no cache lookups</source>
        <translation>keine Cache-Zugriffe</translation>
    </message>
    <message>
        <source>hit rate %1 · needs %2</source>
        <translation>Trefferquote %1 · nötig %2</translation>
    </message>
    <message>
        <source>+%1</source>
        <translation>+%1</translation>
    </message>
    <message>
        <source>+0</source>
        <translation>+0</translation>
    </message>
    <message>
        <source>−%1</source>
        <translation>−%1</translation>
    </message>
    <message>
        <source>0</source>
        <translation>0</translation>
    </message>
    <message>
        <source>%1 failed · threshold %2</source>
        <translation>%1 Fehler · Schwelle %2</translation>
    </message>
</context>
<context>
    <name>perfwatch::ScoreGauge</name>
    <message>
        <source>Performance score %1, %2</source>
        <translation>Leistungswert %1, %2</translation>
    </message>
</context>
<context>
    <name>perfwatch::SettingsDialog</name>
    <message>
        <source>PerfWatch Settings</source>
        <translation>PerfWatch-Einstellungen</translation>
    </message>
    <message>
        <source>Thresholds</source>
        <translation>Schwellen</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Display</source>
        <translation>Anzeige</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source> items/s</source>
        <translation> Elemente/s</translation>
    </message>
    <message>
        <source>Slow API request</source>
        <translation>Langsame API-Anfrage</translation>
    </message>
    <message>
        <source>T_api: the p95 where the score starts losing points; also the Apdex T.</source>
        <translation>T_api: das p95, ab dem der Leistungswert Punkte verliert; zugleich das T des Apdex.</translation>
    </message>
    <message>
        <source>Slow database operation</source>
        <translation>Langsame Datenbank-Operation</translation>
    </message>
    <message>
        <source>T_db: the average where the score starts losing points.</source>
        <translation>T_db: der Durchschnitt, ab dem der Leistungswert Punkte verliert.</translation>
    </message>
    <message>
        <source>Minimum processing throughput</source>
        <translation>Mindestdurchsatz der Verarbeitung</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <source>Bind address</source>
        <translation>Bind-Adresse</translation>
    </message>
    <message>
        <source>127.0.0.1 keeps PerfWatch private to this machine. Any other address needs a token.</source>
        <translation>127.0.0.1 hält PerfWatch auf diesem Rechner privat. Jede andere Adresse erfordert ein Token.</translation>
    </message>
    <message>
        <source>HTTP port (ingest, OTLP, REST)</source>
        <translation>HTTP-Port (Empfang, OTLP, REST)</translation>
    </message>
    <message>
        <source>StatsD port (UDP)</source>
        <translation>StatsD-Port (UDP)</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation>Bearer-Token</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Keep running in the system tray when the window is closed</source>
        <translation>Beim Schließen des Fensters im Infobereich weiterlaufen</translation>
    </message>
    <message>
        <source>Notify when the score drops a band or high-priority advice appears</source>
        <translation>Benachrichtigen, wenn der Wert eine Stufe fällt oder eine dringende Empfehlung erscheint</translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation>Aktualisierungsintervall</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>A new language takes effect at the next start.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>History folder</source>
        <translation>Verlaufsordner</translation>
    </message>
    <message>
        <source> h</source>
        <translation> h</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Keep history for</source>
        <translation>Verlauf aufbewahren für</translation>
    </message>
    <message>
        <source>Drop expired data every</source>
        <translation>Abgelaufene Daten löschen alle</translation>
    </message>
    <message>
        <source>Raw samples kept per key</source>
        <translation>Rohwerte pro Schlüssel</translation>
    </message>
    <message>
        <source>Most distinct keys</source>
        <translation>Höchstzahl verschiedener Schlüssel</translation>
    </message>
    <message>
        <source>The folder and the limits take effect at the next start.</source>
        <translation>Ordner und Grenzen gelten ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>These values cannot be used:</source>
        <translation>Diese Werte können nicht verwendet werden:</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Berichte</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>US Letter</source>
        <translation>US Letter</translation>
    </message>
    <message>
        <source>Write a PDF report on a schedule</source>
        <translation>Regelmäßig einen PDF-Bericht schreiben</translation>
    </message>
    <message>
        <source>Report folder</source>
        <translation>Berichtsordner</translation>
    </message>
    <message>
        <source>Period covered</source>
        <translation>Abgedeckter Zeitraum</translation>
    </message>
    <message>
        <source>Exported and scheduled reports cover this many hours up to the moment they are made.</source>
        <translation>Exportierte und geplante Berichte decken so viele Stunden bis zum Zeitpunkt ihrer Erstellung ab.</translation>
    </message>
    <message>
        <source>Page size</source>
        <translation>Seitengröße</translation>
    </message>
    <message>
        <source>Every</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Reports are written at whole multiples of the interval in UTC (every 6 h: 00:00, 06:00, 12:00 and 18:00 UTC) and named perfwatch-report-&lt;UTC time&gt;.pdf.</source>
        <translation>Berichte werden zu ganzen Vielfachen des Intervalls in UTC geschrieben (alle 6 h: 00:00, 06:00, 12:00 und 18:00 UTC) und perfwatch-report-&lt;UTC-Zeit&gt;.pdf genannt.</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>OTLP/gRPC port</source>
        <translation>OTLP/gRPC-Port</translation>
    </message>
    <message>
        <source>Changing the address, the HTTP or gRPC port or the token restarts those servers; a new StatsD port applies at the next start.</source>
        <translation>Eine neue Adresse, ein neuer HTTP- oder gRPC-Port oder ein neues Token startet diese Server neu; ein neuer StatsD-Port gilt ab dem nächsten Start.</translation>
    </message>
</context>
<context>
    <name>perfwatch::TopRecommendations</name>
    <message>
        <source>Open the recommendations</source>
        <translation>Die Empfehlungen öffnen</translation>
    </message>
    <message>
        <source>Nothing to improve right now: no rule fires in the score window.</source>
        <translation>Gerade nichts zu verbessern: Im Bewertungsfenster greift keine Regel.</translation>
    </message>
</context>
<context>
    <name>perfwatch::TrayAlerts</name>
    <message>
        <source>Show PerfWatch</source>
        <translation>PerfWatch anzeigen</translation>
    </message>
    <message>
        <source>Pause live updates</source>
        <translation>Live-Aktualisierung anhalten</translation>
    </message>
    <message>
        <source>Mute notifications</source>
        <translation>Benachrichtigungen stummschalten</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>PerfWatch</source>
        <translation>PerfWatch</translation>
    </message>
    <message>
        <source>PerfWatch · no data yet</source>
        <translation>PerfWatch · noch keine Daten</translation>
    </message>
    <message numerus="yes">
        <source>PerfWatch · score %1 (%2) · %n recommendation(s)</source>
        <translation>
            <numerusform>PerfWatch · Wert %1 (%2) · %n Empfehlung</numerusform>
            <numerusform>PerfWatch · Wert %1 (%2) · %n Empfehlungen</numerusform>
        </translation>
    </message>
</context>
</TS>
