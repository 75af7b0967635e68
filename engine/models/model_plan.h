// Model names and ensemble expressions for evaluation and model files
// (docs/design.md section 4).
//
// Base models:
//   rf                                the random forest on the 42 statistics
//   <net>[-<input>][+dir]             a sequence network, <net> one of
//                                     gru | cnn | cnngru; <input> one of
//                                     packet (IP sizes, the default),
//                                     payload (TCP payload sizes), iat
//                                     (log inter-arrival times), all (the
//                                     three); "+dir" adds the direction channel.
//   Canonical names drop a default "-packet" for gru/cnn only: "gru",
//   "cnn+dir", "cnngru-packet", "cnngru-iat+dir", "gru-all".
// Ensembles (the mean of the members' probabilities, weighted):
//   MEMBER + MEMBER [+ ...]           equal weights
//   W*MEMBER + W*MEMBER ...           W a decimal (0.5) or a fraction (1/6)
//   cnngru-mean                       cnngru-packet + cnngru-payload + cnngru-iat
//   paper                             0.5*rf + 1/6*(the three CNN-GRUs): the
//                                     paper's final model
//   A "+dir" after a member belongs to it: "cnngru-packet+dir+rf" has two
//   members. Combined probability = sum(w_i * p_i) / sum(w_i).
//
// planModels() turns a list of such names into the base models to train (in
// the order given; ensemble members not listed are added after) and the
// ensembles to combine from them.
//
// Thread: pure functions. Failure: nullopt and a one-line `error`.
#pragma once

#include "models/sequence_network.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

struct ModelSpec {
    std::string name; // canonical
    bool forest = false;
    NetworkKind network = NetworkKind::CnnGru;
    std::string input;                 // packet | payload | iat | all ("" for rf)
    bool direction = false;            // + the direction channel
    std::vector<std::string> channels; // sequence channel names (features/sequences.h)
};

struct EnsembleSpec {
    std::string name;                                    // as given (trimmed), or the alias
    std::vector<std::pair<std::string, double>> members; // canonical model name, weight > 0
};

struct ModelPlan {
    std::vector<ModelSpec> models;       // to train, no duplicates
    std::vector<EnsembleSpec> ensembles; // to combine
    // Result rows in order: every name as given (canonical for base models),
    // then base models added for ensembles.
    std::vector<std::string> order;

    bool usesForest() const;   // some base model needs the 42 statistics
    bool usesNetworks() const; // some base model needs packet sequences
};

std::optional<ModelSpec> parseModelName(std::string_view text, std::string* error = nullptr);
std::optional<EnsembleSpec> parseEnsemble(std::string_view text, std::string* error = nullptr);
// `text` is an ensemble (not a single base model name)?
bool isEnsembleText(std::string_view text);
std::optional<ModelPlan> planModels(const std::vector<std::string>& names,
                                    std::string* error = nullptr);

// rows x k probabilities of `ensemble` from its members' (same layout);
// memberProbs[i] belongs to ensemble.members[i].
std::vector<double> combineEnsemble(const EnsembleSpec& ensemble,
                                    const std::vector<const std::vector<double>*>& memberProbs);

// One line saying what a model name is ("CNN-GRU on IP packet sizes and
// directions", "the paper's ensemble: ..."), for pickers' tooltips; the
// parser's error for an unknown name.
std::string describeModel(std::string_view name);

// Help text listing the names above (for --help and the GUI).
std::string modelNamesHelp();

} // namespace snilab
