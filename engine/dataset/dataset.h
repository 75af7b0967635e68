// A dataset view of a catalog: the labeled connections (those with an SNI) of
// its complete and partial captures, with their label (under a label mode),
// capture group, and features computed from the stored series under a
// FeatureSpec. Thresholds and splits are applied on top (eval/).
//
// Thread: build on any thread; the result is a plain value.
#pragma once

#include "catalog/connection_reader.h"
#include "common/feedback.h"
#include "features/feature_spec.h"
#include "flow/label.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snilab {

struct DatasetOptions {
    LabelMode labelMode = LabelMode::Default;
    FeatureSpec spec;
    bool statistics = true; // the 42 flow statistics
    bool sequences = false; // the first-n packet sequences
    // false: also connections without a usable label (their label is ""),
    // e.g. to predict them; evaluation always uses labeled ones only.
    bool labeledOnly = true;
    // Which connections: TCP, QUIC or both (recorded in a run's configuration).
    TransportFilter transport = TransportFilter::All;
};

struct Dataset {
    DatasetOptions options;
    std::vector<std::int64_t> connectionIds;
    std::vector<std::string> labels;   // per sample ("" = unlabeled, only when !labeledOnly)
    std::vector<std::string> snis;     // per sample: the SNI as seen ("" = none)
    std::vector<Transport> transports; // per sample: TCP or QUIC
    std::vector<int> groups;           // per sample: index into groupPaths (one group per capture)
    std::vector<std::string> groupPaths;
    std::vector<std::int64_t> groupFirstNs;     // per group: the capture's first timestamp
    std::vector<float> statistics;              // size() x kStatisticCount, row-major
    std::vector<float> sequences;               // size() x sequenceLength x channels, time-major
    std::vector<std::uint32_t> sequencePackets; // per sample: real (unpadded) rows

    std::size_t size() const noexcept { return labels.size(); }
    // 32 hex digits over the connection ids, labels and the options: two
    // datasets with the same fingerprint hold the same samples and features.
    std::string fingerprint() const;
};

// Reads the catalog; `feedback` gets progress per 1,000 connections and is
// polled for cancel (a cancelled build returns what was read so far and the
// caller must check feedback.isCancelled()).
Dataset loadDataset(ConnectionReader& reader, const DatasetOptions& options, Feedback& feedback);

} // namespace snilab
