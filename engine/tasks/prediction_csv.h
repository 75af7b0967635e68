// The prediction CSV: one writer for `snilab-cli predict --out` and the
// workbench's "Export CSV" of a prediction, so both write the same columns
// and bytes (docs/outputs.md, "predictions.csv of predict"):
//   capture, client_ip, client_port, server_ip, server_port, start_ns,
//   transport, tls, sni, ech, true_label, known_class, predicted,
//   probability, top, correct
// `tls` is 1 when a TLS ClientHello was seen (0: a plain-TCP connection, its
// prediction is a guess from sizes and times); `correct` is empty for a
// connection whose true label is none of the model's classes.
// The `top` cell is report/label_list.h's text.
//
// Thread: free functions. Failure: OutputConflict before anything is written
// when the path is one of `inputs`; OutputError from the atomic write.
#pragma once

#include "report/label_list.h"
#include "report/output_guard.h"
#include "tasks/predictor.h"

#include <filesystem>
#include <string>
#include <vector>

namespace snilab {

std::vector<std::string> predictionCsvHeader();
// Probabilities with `decimals` decimals (PredictionOptions::decimals).
std::vector<std::string> predictionCsvRow(const PredictedConnection& row, int decimals = 4);

// Writes `rows` in the given order to `path` through AtomicFile, after
// refusing a path that is one of `inputs`.
void writePredictionCsv(const std::filesystem::path& path,
                        const std::vector<const PredictedConnection*>& rows,
                        const std::vector<report::GuardedInput>& inputs, int decimals = 4);

} // namespace snilab
