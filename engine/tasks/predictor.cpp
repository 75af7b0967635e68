#include "tasks/predictor.h"

#include "catalog/catalog.h"
#include "dataset/dataset.h"
#include "eval/metrics.h"
#include "models/sequence_network.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <unistd.h>

namespace snilab {

namespace {

// A directory removed with everything in it when the object goes.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "snilab-predict-XXXXXX");
        if (!::mkdtemp(pattern.data()))
            throw CatalogError("cannot create a temporary directory in " +
                               std::filesystem::temp_directory_path().string());
        m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace

std::string PredictionOptions::validate() const
{
    if (topK < 1 || topK > 1000)
        return "--top must be between 1 and 1000";
    if (decimals < 1 || decimals > 17)
        return "--digits must be between 1 and 17";
    if (!isDeviceName(device))
        return "--device must be auto, cpu or cuda (not '" + device + "')";
    if (threads < 0)
        return "--threads must be 0 (every core) or more";
    return {};
}

PredictionOutcome predictCaptures(const ModelFile& model,
                                  const std::vector<std::filesystem::path>& captures,
                                  const PredictionOptions& options, Feedback& feedback)
{
    PredictionOutcome out;
    const auto& order = model.models.plan().order;
    out.model = options.use.empty() ? model.info.primary : options.use;
    if (std::find(order.begin(), order.end(), out.model) == order.end())
        throw ModelError("'" + out.model + "' is not a model of this file");
    const bool forest = model.models.plan().usesForest();
    const bool networks = model.models.plan().usesNetworks();

    TempDir temp;
    Catalog catalog(temp.path() / "predict.sqlite");
    IngestOptions ingest;
    ingest.threads = static_cast<unsigned>(std::max(options.threads, 0));
    out.files = ingestFiles(captures, catalog.captures(), ingest, feedback);
    if (feedback.isCancelled()) {
        out.cancelled = true;
        return out;
    }
    DatasetOptions dataOptions;
    dataOptions.labelMode = model.info.labelMode;
    dataOptions.spec = model.info.spec;
    dataOptions.statistics = forest;
    dataOptions.sequences = networks;
    dataOptions.labeledOnly = false;
    dataOptions.transport = options.transport;
    const Dataset data = loadDataset(catalog.connections(), dataOptions, feedback);
    if (feedback.isCancelled()) {
        out.cancelled = true;
        return out;
    }
    feedback.progress(1.0, "classifying " + std::to_string(data.size()) + " connections");
    std::vector<std::size_t> rows(data.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i;
    const auto probsByName = model.models.predict(data, rows);
    const std::vector<double>& probs = probsByName.at(out.model);
    std::map<std::int64_t, ConnectionRow> connections;
    catalog.connections().forEachConnection([&](const ConnectionRow& c) { connections[c.id] = c; });

    const auto& labels = model.info.labels;
    const std::size_t k = labels.size();
    const std::size_t topK =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(options.topK, 1)), k);
    out.rows.reserve(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        const double* p = probs.data() + i * k;
        const std::vector<int> idx = topClasses(p, static_cast<int>(k), static_cast<int>(topK));
        PredictedConnection r;
        if (const auto it = connections.find(data.connectionIds[i]); it != connections.end())
            r.connection = it->second;
        r.connection.sni = data.snis[i];
        r.trueLabel = data.labels[i];
        r.knownClass = !r.trueLabel.empty() &&
                       std::find(labels.begin(), labels.end(), r.trueLabel) != labels.end();
        r.predicted = labels[static_cast<std::size_t>(idx[0])];
        r.probability = p[idx[0]];
        for (std::size_t j = 0; j < topK; ++j)
            r.top.emplace_back(labels[static_cast<std::size_t>(idx[j])], p[idx[j]]);
        out.withSni += data.snis[i].empty() ? 0 : 1;
        out.withEch += r.connection.ech ? 1 : 0;
        out.known += r.knownClass ? 1 : 0;
        out.correct += r.correct() ? 1 : 0;
        out.rows.push_back(std::move(r));
    }
    return out;
}

} // namespace snilab
