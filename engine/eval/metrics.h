// Classification metrics (docs/design.md section 5, "Metrics").
//
// Input: n true class ids in 0..K-1 and an n x K row-major matrix of class
// scores (probabilities; any real numbers work, only their order matters).
//
// Prediction: the argmax of a row; ties go to the lowest class id. NaN ranks
// below every number (a row of NaN predicts class 0).
//
// Per class c (vectors of size K, every class, present or not):
//   support[c]           samples whose true class is c
//   perClassAccuracy[c]  recall: TP / support (0 when support = 0)
//   perClassPrecision[c] TP / (times c was predicted) (0 when never predicted;
//                        scikit-learn's zero_division=0)
//   perClassF1[c]        2PR / (P + R) (0 when P + R = 0)
// Averages (scikit-learn's precision_recall_fscore_support with labels=None):
//   macro*    unweighted mean over the classes that occur in the true ids OR
//             in the predictions (scikit-learn's unique_labels(y_true, y_pred));
//             a class in neither is left out (it has no samples and no
//             predictions). A class only predicted counts with recall 0, F1 0.
//   weighted* mean weighted by support (classes only predicted weigh 0);
//             weightedRecall == accuracy.
//   macroF1 is the mean of the per-class F1 (not the F1 of macro P and R).
// topK[k-1], k = 1..min(5, K): fraction of samples whose true class is among
//   the k highest scores, ranked by score descending, ties by lower class id
//   (so the true class t is in the top k iff fewer than k classes c have
//   score_c > score_t, or score_c == score_t and c < t). topK[0] == accuracy.
// confusion: K x K row-major, row = true class, column = predicted class.
//
// Failure: computeMetrics() returns std::nullopt and, if `error` is given, a
// one-line message; never throws for bad input (except std::bad_alloc).
// Thread: pure functions, safe from any thread.
#pragma once

#include "common/results.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace snilab {

inline constexpr std::size_t kMaxTopK = 5;

struct Metrics {
    double accuracy = 0.0;
    double macroPrecision = 0.0;
    double macroRecall = 0.0;
    double macroF1 = 0.0;
    double weightedPrecision = 0.0;
    double weightedRecall = 0.0;
    double weightedF1 = 0.0;
    std::vector<double> perClassAccuracy; // = recall per class
    std::vector<double> perClassPrecision;
    std::vector<double> perClassF1;
    std::vector<std::uint64_t> support;
    std::vector<double> topK;             // k = 1..min(kMaxTopK, K)
    std::vector<std::uint64_t> confusion; // K x K, row = true, column = predicted
};

// Argmax of each row (see above). `scores` must hold rows * classCount values;
// a shorter matrix yields predictions for its complete rows only.
std::vector<int> predictClasses(const std::vector<double>& scores, int classCount);
// The best min(n, classCount) classes of one row of scores, best first, under
// the same order (higher score, then lower class index).
std::vector<int> topClasses(const double* row, int classCount, int n);

// Per class c of a K x K confusion matrix (row = true, column = predicted):
// support, times predicted, recall, precision and F1 as defined above. The one
// per-class computation: computeMetrics() uses it for a fold, the evaluation
// for the matrix summed over folds. A matrix shorter than K x K gives zeros.
struct PerClass {
    std::vector<std::uint64_t> support, predicted;
    std::vector<double> recall, precision, f1;
};
PerClass perClassMetrics(const std::vector<std::uint64_t>& confusion, std::size_t k);

// Errors: classCount < 1; no samples; scores.size() != n * classCount; a true
// class outside 0..classCount-1.
std::optional<Metrics> computeMetrics(const std::vector<int>& trueClasses,
                                      const std::vector<double>& scores, int classCount,
                                      std::string* error = nullptr);

// computeMetrics() over samples given chunk by chunk, for a fold whose n x K
// scores are too many to hold at once (670k test rows x 532 classes of
// doubles is 2.8 GB): add() each chunk's true ids and scores (the same checks
// as computeMetrics(), sample numbers counted across chunks), then metrics()
// - equal to computeMetrics() over all samples at once (it is computeMetrics()'s
// own path).
class MetricCounts {
public:
    explicit MetricCounts(int classCount);
    bool add(const int* trueClasses, std::size_t n, const double* scores,
             std::string* error = nullptr);
    std::optional<Metrics> metrics(std::string* error = nullptr) const;

private:
    int m_classes;
    std::size_t m_samples = 0;
    std::vector<std::uint64_t> m_confusion;
    std::vector<std::uint64_t> m_topHits;
};

// aggregate(): the mean and std over folds, in common/results.h.

} // namespace snilab
