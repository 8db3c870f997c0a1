// perfwatch-grpc-loadgen: OTLP/gRPC export calls at full speed, for the gRPC-against-HTTP ratio.
//
//   perfwatch-grpc-loadgen --target 127.0.0.1:4317 [--otlp traces|metrics] [--batch 512]
//       [--calls 16] [--channels 4] [--duration 10] [--warmup 2] [--gzip]
//
// The bodies are the ones perfwatch-loadgen sends over HTTP (Workload, --otlp), so both measure
// the same spans. `--calls` calls are kept in flight over `--channels` HTTP/2 connections; a call
// counts when it ends OK inside the measured window. Prints one line of results.

#include "loadoptions.h"
#include "workload.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace perfwatch::loadgen;
using Clock = std::chrono::steady_clock;

namespace {

struct Run
{
    std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
    std::string method;
    const Workload *workload = nullptr;
    bool gzip = false;
    std::atomic<bool> stopping { false };
    std::atomic<bool> measuring { false };
    std::atomic<std::uint64_t> ok { 0 };
    std::atomic<std::uint64_t> failed { 0 };
    std::atomic<std::uint64_t> next { 0 };
    std::atomic<int> inFlight { 0 };
    std::mutex mutex;
    std::condition_variable idle;
    std::string firstError;
};

/// One call slot: sends the next body, and again when the answer came, until the run stops.
class Slot
{
public:
    Slot(Run &run, std::size_t index)
        : m_run(run)
        , m_stub(*run.stubs[index % run.stubs.size()])
    { }

    void start()
    {
        if (m_run.stopping.load()) {
            if (m_run.inFlight.fetch_sub(1) == 1)
                m_run.idle.notify_all();
            return;
        }
        const std::string_view body = m_run.workload->body(m_run.next.fetch_add(1));
        m_context = std::make_unique<grpc::ClientContext>();
        if (m_run.gzip)
            m_context->set_compression_algorithm(GRPC_COMPRESS_GZIP);
        grpc::Slice slice(body.data(), body.size());
        m_request = grpc::ByteBuffer(&slice, 1);
        m_response.Clear();
        m_stub.UnaryCall(
            m_context.get(), m_run.method, grpc::StubOptions(), &m_request, &m_response, [this](grpc::Status status) {
                if (m_run.measuring.load()) {
                    if (status.ok()) {
                        m_run.ok.fetch_add(1);
                    } else {
                        m_run.failed.fetch_add(1);
                        const std::lock_guard lock(m_run.mutex);
                        if (m_run.firstError.empty())
                            m_run.firstError = std::to_string(int(status.error_code())) + " " + status.error_message();
                    }
                }
                start();
            });
    }

private:
    Run &m_run;
    grpc::GenericStub &m_stub;
    std::unique_ptr<grpc::ClientContext> m_context;
    grpc::ByteBuffer m_request;
    grpc::ByteBuffer m_response;
};

} // namespace

int main(int argc, char **argv)
{
    std::string target = "127.0.0.1:4317";
    int calls = 16;
    int channels = 4;
    double duration = 10;
    double warmup = 2;
    std::vector<std::string> loadArgs { "--batch", "512", "--otlp", "traces" };
    bool gzip = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "perfwatch-grpc-loadgen: %s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--target")
            target = value();
        else if (arg == "--calls")
            calls = std::max(1, std::stoi(value()));
        else if (arg == "--channels")
            channels = std::max(1, std::stoi(value()));
        else if (arg == "--duration")
            duration = std::stod(value());
        else if (arg == "--warmup")
            warmup = std::stod(value());
        else if (arg == "--gzip")
            gzip = true;
        else if (arg == "--batch" || arg == "--otlp" || arg == "--keys" || arg == "--seed") {
            loadArgs.push_back(arg);
            loadArgs.push_back(value());
        } else {
            std::fprintf(stderr, "perfwatch-grpc-loadgen: unknown option %s\n", arg.c_str());
            return 2;
        }
    }
    const ParseResult parsed = parseOptions(loadArgs);
    if (!parsed.options) {
        std::fprintf(stderr, "perfwatch-grpc-loadgen: %s\n", parsed.message.c_str());
        return 2;
    }
    const LoadOptions &options = *parsed.options;
    if (options.format == BodyFormat::OtlpTracesJson) {
        std::fprintf(stderr, "perfwatch-grpc-loadgen: gRPC carries protobuf only (--otlp traces or metrics)\n");
        return 2;
    }
    const Workload workload(options);

    Run run;
    run.workload = &workload;
    run.gzip = gzip;
    run.method = options.format == BodyFormat::OtlpMetricsProto
        ? "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
        : "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    for (int c = 0; c < channels; ++c) {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1); // a connection of its own per channel
        args.SetInt("perfwatch.channel", c);
        run.stubs.push_back(std::make_unique<grpc::GenericStub>(
            grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
    }
    std::vector<std::unique_ptr<Slot>> slots;
    run.inFlight = calls;
    for (int s = 0; s < calls; ++s) {
        slots.push_back(std::make_unique<Slot>(run, std::size_t(s)));
        slots.back()->start();
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
    run.measuring = true;
    const auto begin = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
    run.measuring = false;
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    run.stopping = true;
    {
        std::unique_lock lock(run.mutex);
        run.idle.wait_for(lock, std::chrono::seconds(30), [&run] { return run.inFlight.load() == 0; });
    }
    const std::uint64_t ok = run.ok.load();
    const std::uint64_t events = ok * std::uint64_t(workload.eventsPerRequest());
    std::printf("target %s%s, %d calls in flight over %d channels, batch %d: %llu calls OK (%.1f/s), %llu events "
                "(%.0f/s), %llu failed%s%s\n",
        target.c_str(), gzip ? " (gzip)" : "", calls, channels, workload.eventsPerRequest(),
        static_cast<unsigned long long>(ok), double(ok) / elapsed, static_cast<unsigned long long>(events),
        double(events) / elapsed, static_cast<unsigned long long>(run.failed.load()),
        run.firstError.empty() ? "" : ", first error: ", run.firstError.c_str());
    return ok > 0 ? 0 : 1;
}
