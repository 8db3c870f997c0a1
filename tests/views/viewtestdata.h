#pragma once

// Shared helpers for the views tests: events, keys and rows with exact values.

#include "dashboardsnapshot.h"
#include "metricstore.h"

#include <deque>
#include <string>
#include <vector>

namespace perfwatch::test {

/// A fixed, minute-aligned "now": 2023-11-14T22:14:00Z.
inline constexpr qint64 kNow = 1'700'000'040'000;
inline constexpr qint64 kSecond = 1000;
inline constexpr qint64 kMinute = 60 * kSecond;

/// Keeps the strings events point into alive.
struct EventBatch
{
    std::deque<std::string> strings;
    std::vector<IngestEvent> events;

    std::string_view keep(std::string s)
    {
        strings.push_back(std::move(s));
        return strings.back();
    }

    IngestEvent &add(
        MetricKind kind, const std::string &name, double value, qint64 ts, const std::string &service = "svc")
    {
        IngestEvent e;
        e.kind = kind;
        e.name = keep(name);
        e.service = keep(service);
        e.value = value;
        e.timestampMs = ts;
        e.status = 200;
        events.push_back(e);
        return events.back();
    }

    void api(const std::string &route, double ms, quint16 status, qint64 ts, const std::string &service = "svc")
    {
        IngestEvent &e = add(MetricKind::Api, route, ms, ts, service);
        e.status = status;
        e.error = status >= 500;
    }

    void insertInto(MetricStore &store, qint64 nowMs)
    {
        store.insert(events, nowMs);
        events.clear();
        strings.clear();
    }
};

inline KeyRow row(
    MetricKind kind, const QString &name, quint64 count, double p95, const QString &service = QStringLiteral("svc"))
{
    KeyRow r;
    r.key.kind = kind;
    r.key.name = name;
    r.key.service = service;
    r.count = count;
    r.ratePerSec = double(count) / 60.0;
    r.avg = p95 / 2;
    r.p50 = p95 / 2;
    r.p95 = p95;
    r.p99 = p95 * 1.2;
    r.min = 1;
    r.max = p95 * 2;
    r.errors = 0;
    r.errorRate = 0;
    return r;
}

} // namespace perfwatch::test
