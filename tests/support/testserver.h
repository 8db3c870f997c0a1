#pragma once

#include "engine.h"
#include "httptestclient.h"
#include "ingestconfig.h"
#include "ingestserver.h"
#include "ingestservice.h"
#include "performanceroutes.h"

#include <QTest>
#include <memory>

namespace perfwatch::test {

/// An engine and the ingest server with every route, on a free port of 127.0.0.1.
struct TestServer
{
    std::unique_ptr<PerformanceEngine> engine;
    std::unique_ptr<IngestService> service;
    quint16 port = 0;

    static IngestConfig defaultConfig()
    {
        IngestConfig config;
        config.port = 0;
        config.sweepIntervalMs = 50;
        config.lingerMs = 500;
        return config;
    }

    /// Starts both; returns false (with a test failure) when they do not start.
    bool start(const IngestConfig &config = defaultConfig(), const StatsdCounters *statsd = nullptr)
    {
        service.reset();
        engine = std::make_unique<PerformanceEngine>(EngineConfig {});
        QString error;
        if (!engine->start(&error)) {
            QTest::qFail(qPrintable(error), __FILE__, __LINE__);
            return false;
        }
        PerformanceEngine *e = engine.get();
        service = std::make_unique<IngestService>([e, statsd](IngestServer &server) {
            PerformanceRoutes::install(server, *e, { statsd, {} });
        });
        port = service->start(config, &error);
        if (port == 0) {
            QTest::qFail(qPrintable(error), __FILE__, __LINE__);
            return false;
        }
        return true;
    }

    void stop()
    {
        service.reset();
        engine.reset();
    }

    /// One request on a new connection.
    std::optional<HttpTestReply> request(const QByteArray &bytes) const
    {
        HttpTestClient client(port);
        return client.request(bytes);
    }

    std::optional<HttpTestReply> get(const QByteArray &path, const QByteArray &headers = {}) const
    {
        return request("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n");
    }

    std::optional<HttpTestReply> post(const QByteArray &path, const QByteArray &body,
        const QByteArray &contentType = "application/json", const QByteArray &headers = {}) const
    {
        QByteArray r = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!contentType.isEmpty())
            r += "Content-Type: " + contentType + "\r\n";
        r += headers + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        return request(r);
    }
};

} // namespace perfwatch::test
