// perfwatch-loadgen: HTTP load generator for the PerfWatch ingest endpoint (see docs/PERFORMANCE.md).

#include "loadgenerator.h"
#include "loadoptions.h"
#include "report.h"
#include "workload.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

using namespace perfwatch::loadgen;

namespace {

void onSignal(int)
{
    LoadGenerator::requestStop();
}

/// SIGINT/SIGTERM end the run early and still print what was measured.
void installSignalHandlers()
{
    struct sigaction action
    {
    };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: epoll_wait returns EINTR and the loop sees the flag
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

} // namespace

int main(int argc, char **argv)
{
    const ParseResult parsed = parseOptions(std::vector<std::string>(argv + 1, argv + argc));
    if (!parsed.options) {
        if (parsed.exitCode == 0)
            std::cout << parsed.message;
        else
            std::cerr << "perfwatch-loadgen: " << parsed.message << '\n';
        return parsed.exitCode;
    }
    const LoadOptions &options = *parsed.options;

    const Workload workload(options);
    if (workload.keysCovered() < std::size_t(options.keys)) {
        std::cerr << "perfwatch-loadgen: note: the prepared requests reach " << workload.keysCovered() << " of "
                  << options.keys << " keys; raise --batch to reach all\n";
    }

    LoadGenerator generator(options, workload);
    std::string error;
    if (!generator.prepare(error)) {
        std::cerr << "perfwatch-loadgen: " << error << '\n';
        return 1;
    }
    installSignalHandlers();
    const LoadResult result = generator.run();

    std::cout << (options.json ? formatJson(options, workload, result) : formatText(options, workload, result));
    std::cout.flush();
    if (result.succeeded == 0) {
        std::cerr << "perfwatch-loadgen: no request succeeded"
                  << (result.lastError.empty() ? std::string() : " (last error: " + result.lastError + ")") << '\n';
        return 1;
    }
    return 0;
}
