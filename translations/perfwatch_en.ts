<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AlertPolicy</name>
    <message numerus="yes">
        <source>%n new high-priority recommendation(s)</source>
        <translation>
            <numerusform>%n new high-priority recommendation</numerusform>
            <numerusform>%n new high-priority recommendations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation>
            <numerusform>%n s ago</numerusform>
            <numerusform>%n s ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n min ago</numerusform>
            <numerusform>%n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>%n h ago</numerusform>
            <numerusform>%n h ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d ago</source>
        <translation>
            <numerusform>%n d ago</numerusform>
            <numerusform>%n d ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReportPdfWriter</name>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n hour</numerusform>
            <numerusform>%n hours</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more.</source>
        <translation>
            <numerusform>… and %n more.</numerusform>
            <numerusform>… and %n more.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n endpoint(s)</source>
        <translation>
            <numerusform>%n endpoint</numerusform>
            <numerusform>%n endpoints</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n operation</numerusform>
            <numerusform>%n operations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n step</numerusform>
            <numerusform>%n steps</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n gauge(s)</source>
        <translation>
            <numerusform>%n gauge</numerusform>
            <numerusform>%n gauges</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cache(s)</source>
        <translation>
            <numerusform>%n cache</numerusform>
            <numerusform>%n caches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more, in order of priority and impact; recommendations.csv has their evidence and suggestions.</source>
        <translation>
            <numerusform>%n more, in order of priority and impact; recommendations.csv has their evidence and suggestions.</numerusform>
            <numerusform>%n more, in order of priority and impact; recommendations.csv has their evidence and suggestions.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::DetailPane</name>
    <message numerus="yes">
        <source>Recent samples · %n kept</source>
        <translation>
            <numerusform>Recent samples · %n kept</numerusform>
            <numerusform>Recent samples · %n kept</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::KeyStatsModel</name>
    <message numerus="yes">
        <source>%n failed run(s)</source>
        <translation>
            <numerusform>%n failed run</numerusform>
            <numerusform>%n failed runs</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::MainWindow</name>
    <message numerus="yes">
        <source>%n endpoint(s)</source>
        <translation>
            <numerusform>%n endpoint</numerusform>
            <numerusform>%n endpoints</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n operation</numerusform>
            <numerusform>%n operations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n step</numerusform>
            <numerusform>%n steps</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n gauge(s)</source>
        <translation>
            <numerusform>%n gauge</numerusform>
            <numerusform>%n gauges</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cache(s)</source>
        <translation>
            <numerusform>%n cache</numerusform>
            <numerusform>%n caches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s)</source>
        <translation>
            <numerusform>%n connection</numerusform>
            <numerusform>%n connections</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1
%n rollup(s) waiting to be written</source>
        <translation>
            <numerusform>%1
%n rollup waiting to be written</numerusform>
            <numerusform>%1
%n rollups waiting to be written</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>every %n s</source>
        <translation>
            <numerusform>every %n s</numerusform>
            <numerusform>every %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Writing the report of the last %n hour(s)…</source>
        <translation>
            <numerusform>Writing the report of the last %n hour…</numerusform>
            <numerusform>Writing the report of the last %n hours…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Writing every table of the last %n hour(s)…</source>
        <translation>
            <numerusform>Writing every table of the last %n hour…</numerusform>
            <numerusform>Writing every table of the last %n hours…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Saved %n file(s) in %1</source>
        <translation>
            <numerusform>Saved %n file in %1</numerusform>
            <numerusform>Saved %n files in %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::OverviewPage</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 and %n more</numerusform>
            <numerusform>%1 and %n more</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in 5 min</source>
        <translation>
            <numerusform>%n in 5 min</numerusform>
            <numerusform>%n in 5 min</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::PerformanceEngine</name>
    <message numerus="yes">
        <source>The ingest journal of the previous run (%n record(s)) was not replayed: the history is unavailable</source>
        <translation>
            <numerusform>The ingest journal of the previous run (%n record) was not replayed: the history is unavailable</numerusform>
            <numerusform>The ingest journal of the previous run (%n records) was not replayed: the history is unavailable</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::RecommendationsPage</name>
    <message numerus="yes">
        <source>%n in total</source>
        <translation>
            <numerusform>%n in total</numerusform>
            <numerusform>%n in total</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n high priority</source>
        <translation>
            <numerusform>%n high priority</numerusform>
            <numerusform>%n high priority</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::ScoreCard</name>
    <message numerus="yes">
        <source>Performance score · last %n min</source>
        <translation>
            <numerusform>Performance score · last %n min</numerusform>
            <numerusform>Performance score · last %n min</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>perfwatch::TrayAlerts</name>
    <message numerus="yes">
        <source>PerfWatch · score %1 (%2) · %n recommendation(s)</source>
        <translation>
            <numerusform>PerfWatch · score %1 (%2) · %n recommendation</numerusform>
            <numerusform>PerfWatch · score %1 (%2) · %n recommendations</numerusform>
        </translation>
    </message>
</context>
</TS>
