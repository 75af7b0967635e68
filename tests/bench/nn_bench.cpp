// snilab-nn-bench: trains and runs the CNN-GRU through the public
// SequenceNetwork API on a dataset file and prints the timings as one JSON
// object on stdout. tests/bench/nn_bench.py drives it (and runs the same
// architecture in PyTorch-Python on the same file).
//
// Dataset file (little-endian), written by nn_bench.py:
//   8 bytes  magic "SNLBNN01"
//   4 x i64  rows, length, channels, classes
//   f32      rows x length x channels (time-major, already standardised)
//   i32      rows labels in [0, classes)
//
// Measured:
//   training   fit() for --epochs epochs, no validation split, patience =
//              epochs (no early stopping). train_samples_per_s = rows x
//              (epochs - 1) / the summed EpochReport::seconds of epochs 2..N
//              (the first epoch is a warm-up); fit_samples_per_s = rows x
//              epochs / fit()'s whole wall time (set-up included).
//              train_samples_per_cpu_s: the same over the process's CPU
//              time (all threads), sampled through Feedback::epoch().
//   batch 1    predictProba() on one row, median of --calls calls after
//              --warmup calls (rows taken in turn from the data); wall and
//              CPU milliseconds.
//   batch 256  predictProba() on 256 rows, median of --calls256 calls.
// predictProba() is the product path as is (doubles out, softmax applied).
#include "models/sequence_network.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Dataset {
    std::int64_t rows = 0, length = 0, channels = 0, classes = 0;
    std::vector<float> x;
    std::vector<int> y;
};

Dataset readDataset(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    char magic[8] = {};
    in.read(magic, sizeof magic);
    if (!in || std::memcmp(magic, "SNLBNN01", 8) != 0)
        throw std::runtime_error(path + ": not a SNLBNN01 dataset");
    Dataset d;
    std::int64_t header[4] = {};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    d.rows = header[0];
    d.length = header[1];
    d.channels = header[2];
    d.classes = header[3];
    if (!in || d.rows < 2 || d.length < 3 || d.channels < 1 || d.classes < 2 ||
        d.rows > 100000000 || d.length > 100000 || d.channels > 64)
        throw std::runtime_error(path + ": bad header");
    d.x.resize(static_cast<std::size_t>(d.rows * d.length * d.channels));
    d.y.resize(static_cast<std::size_t>(d.rows));
    in.read(reinterpret_cast<char*>(d.x.data()),
            static_cast<std::streamsize>(d.x.size() * sizeof(float)));
    in.read(reinterpret_cast<char*>(d.y.data()),
            static_cast<std::streamsize>(d.y.size() * sizeof(int)));
    if (!in)
        throw std::runtime_error(path + ": truncated");
    return d;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds of the whole process (every thread): less sensitive than wall
// time to other load on the machine (idle OpenMP workers sleep with
// OMP_WAIT_POLICY=PASSIVE, so they add little).
double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Samples the process CPU time at the end of every epoch (fit() calls
// epoch() right after it has timed the epoch).
class EpochCpu : public snilab::Feedback {
public:
    std::vector<double> marks;
    void epoch(const snilab::EpochReport&) override { marks.push_back(cpuSeconds()); }
};

struct Timing {
    double wall = 0; // median seconds per call
    double cpu = 0;  // median CPU seconds per call
};

// Median seconds of `calls` predictProba() calls on `batch` rows, taken in
// turn from the data; `checksum` keeps the results observable.
Timing timePredict(const snilab::SequenceNetwork& net, const Dataset& d, std::int64_t batch,
                   int warmup, int calls, double& checksum)
{
    const std::int64_t stride = d.length * d.channels;
    const std::int64_t starts = std::max<std::int64_t>(1, d.rows - batch + 1);
    std::vector<double> times, cpu;
    for (int i = 0; i < warmup + calls; ++i) {
        const std::int64_t first = (static_cast<std::int64_t>(i) * batch) % starts;
        const double c0 = cpuSeconds();
        const auto t0 = Clock::now();
        const std::vector<double> p =
            net.predictProba(d.x.data() + first * stride, static_cast<std::size_t>(batch));
        const double t = secondsSince(t0);
        const double c = cpuSeconds() - c0;
        checksum += p.front();
        if (i >= warmup) {
            times.push_back(t);
            cpu.push_back(c);
        }
    }
    return {median(times), median(cpu)};
}

int usage(const char* argv0)
{
    std::fprintf(stderr,
                 "usage: %s --data FILE [--epochs N] [--batch N] [--threads N] [--seed N]\n"
                 "          [--calls N] [--calls256 N] [--warmup N]\n",
                 argv0);
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    std::string data;
    int epochs = 3, batch = 64, threads = 2, calls = 200, calls256 = 30, warmup = 5;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc)
            return usage(argv[0]);
        const std::string v = argv[++i];
        if (a == "--data")
            data = v;
        else if (a == "--epochs")
            epochs = std::stoi(v);
        else if (a == "--batch")
            batch = std::stoi(v);
        else if (a == "--threads")
            threads = std::stoi(v);
        else if (a == "--seed")
            seed = std::stoull(v);
        else if (a == "--calls")
            calls = std::stoi(v);
        else if (a == "--calls256")
            calls256 = std::stoi(v);
        else if (a == "--warmup")
            warmup = std::stoi(v);
        else
            return usage(argv[0]);
    }
    if (data.empty() || epochs < 1 || batch < 1 || calls < 1 || calls256 < 1 || warmup < 0)
        return usage(argv[0]);
    try {
        const Dataset d = readDataset(data);
        snilab::SequenceNetwork net(snilab::NetworkOptions::defaults(snilab::NetworkKind::CnnGru));
        snilab::TrainingOptions t;
        t.maxEpochs = epochs;
        t.patience = epochs;
        t.validationFraction = 0.0;
        t.batchSize = batch;
        t.threads = threads;
        t.seed = seed;
        t.device = "cpu";
        EpochCpu epochCpu;
        const double fitCpuStart = cpuSeconds();
        const auto fitStart = Clock::now();
        net.fit(d.x.data(), static_cast<std::size_t>(d.rows), static_cast<std::size_t>(d.length),
                static_cast<std::size_t>(d.channels), d.y.data(), static_cast<int>(d.classes), t,
                &epochCpu);
        const double fitSeconds = secondsSince(fitStart);
        std::vector<double> epochCpuSeconds;
        for (std::size_t e = 0; e < epochCpu.marks.size(); ++e)
            epochCpuSeconds.push_back(epochCpu.marks[e] -
                                      (e ? epochCpu.marks[e - 1] : fitCpuStart));
        const auto& history = net.history();
        std::vector<double> epochSeconds;
        for (const auto& r : history)
            epochSeconds.push_back(r.seconds);
        const auto rows = static_cast<double>(d.rows);
        // Samples per second over epochs 2..N; with one epoch there is nothing
        // after the warm-up: that epoch.
        const auto rate = [&](const std::vector<double>& seconds) {
            if (seconds.size() < 2)
                return rows / seconds.front();
            double sum = 0;
            for (std::size_t e = 1; e < seconds.size(); ++e)
                sum += seconds[e];
            return rows * static_cast<double>(seconds.size() - 1) / sum;
        };

        double checksum = 0;
        const Timing b1 = timePredict(net, d, 1, warmup, calls, checksum);
        const std::int64_t big = std::min<std::int64_t>(256, d.rows);
        const Timing b256 = timePredict(net, d, big, std::min(warmup, 3), calls256, checksum);

        std::printf("{\"impl\": \"snilab\", \"rows\": %lld, \"length\": %lld, \"channels\": %lld, "
                    "\"classes\": %lld, \"epochs\": %zu, \"batch\": %d, \"threads\": %d, "
                    "\"parameters\": %lld,\n \"epoch_seconds\": [",
                    static_cast<long long>(d.rows), static_cast<long long>(d.length),
                    static_cast<long long>(d.channels), static_cast<long long>(d.classes),
                    history.size(), batch, threads, static_cast<long long>(net.parameterCount()));
        for (std::size_t e = 0; e < epochSeconds.size(); ++e)
            std::printf("%s%.4f", e ? ", " : "", epochSeconds[e]);
        std::printf("],\n \"epoch_cpu_seconds\": [");
        for (std::size_t e = 0; e < epochCpuSeconds.size(); ++e)
            std::printf("%s%.4f", e ? ", " : "", epochCpuSeconds[e]);
        std::printf("],\n \"train_samples_per_s\": %.2f, \"train_samples_per_cpu_s\": %.2f, "
                    "\"fit_samples_per_s\": %.2f, \"final_train_loss\": %.5f, "
                    "\"final_train_accuracy\": %.4f,\n"
                    " \"predict_b1_ms\": %.4f, \"predict_b1_cpu_ms\": %.4f, "
                    "\"predict_big_batch\": %lld, \"predict_big_ms\": %.4f, "
                    "\"predict_big_cpu_ms\": %.4f, \"predict_big_samples_per_s\": %.2f, "
                    "\"predict_big_samples_per_cpu_s\": %.2f, \"checksum\": %.6f}\n",
                    rate(epochSeconds), rate(epochCpuSeconds),
                    rows * static_cast<double>(epochs) / fitSeconds, history.back().trainLoss,
                    history.back().trainAccuracy, b1.wall * 1e3, b1.cpu * 1e3,
                    static_cast<long long>(big), b256.wall * 1e3, b256.cpu * 1e3,
                    static_cast<double>(big) / b256.wall, static_cast<double>(big) / b256.cpu,
                    checksum);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "snilab-nn-bench: %s\n", e.what());
        return 1;
    }
}
