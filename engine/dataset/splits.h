// Train/test splits (docs/design.md section 5, "Splits").
//
// All indices are sample indices into the caller's arrays (0..n-1). Every
// returned index list (Fold::train, Fold::test, ValidationSplit::fit,
// ValidationSplit::validation) is sorted ascending and free of duplicates.
//
// Randomness: std::mt19937_64 seeded with the given seed, and this file's own
// bounded draw and shuffle (never std::shuffle or std::uniform_int_distribution,
// whose results differ between standard libraries), so a seed gives the same
// split on every platform:
//   uniformBelow(rng, m): draw r = rng() (64 bits); reject while r < (2^64 - m) % m
//                         (the values that would bias r % m); return r % m.
//   shuffle(v):           Fisher-Yates from the back: for i = n-1 down to 1,
//                         swap(v[i], v[uniformBelow(rng, i + 1)]).
//
// Failure: bad input gives an error value (a non-empty one-line `error` and no
// folds), never an exception (except std::bad_alloc).
// Thread: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace snilab {

struct Fold {
    std::vector<std::size_t> train;
    std::vector<std::size_t> test;
};

struct SplitResult {
    std::vector<Fold> folds; // empty when error is set
    std::string error;       // empty on success
    bool ok() const { return error.empty(); }
};

struct ValidationSplit {
    std::vector<std::size_t> fit;        // what the model is trained on
    std::vector<std::size_t> validation; // held out for early stopping
    std::string error;                   // empty on success (then fit/validation are set)
    bool ok() const { return error.empty(); }
};

// The bounded draw and the shuffle described above (exposed for tests and for
// other seeded code that needs to match them). uniformBelow(rng, 0) returns 0
// without drawing.
std::uint64_t uniformBelow(std::mt19937_64& rng, std::uint64_t bound);
void seededShuffle(std::vector<std::size_t>& values, std::mt19937_64& rng);

// Stratified k-fold (like scikit-learn's StratifiedKFold(shuffle=True), not
// bit-identical to it). `classes[i]` is sample i's class (any int value is a
// class). The classes are taken in ascending order; each class's samples are
// shuffled and the resulting concatenated sequence is dealt round-robin over
// the folds (the j-th sample of the sequence goes to test fold j % k, the count
// continuing from one class to the next). So:
//   - every sample is in exactly one test fold; train = all other samples;
//   - per class, the counts in the test folds differ by at most 1;
//   - the fold sizes differ by at most 1.
// A class with fewer than k samples is allowed: some test folds then lack it
// (and when a class has a single sample, the fold that tests it lacks it in
// train). Errors: k < 2; fewer samples than k (a test fold would be empty).
SplitResult stratifiedKFold(const std::vector<int>& classes, int k, std::uint64_t seed);

// Grouped k-fold: `groups[i]` is sample i's group (capture file id); all
// samples of a group land in the same test fold, so no group is ever in both
// train and test of one fold. Assignment balances the sample count per fold:
// the distinct groups are sorted by id, shuffled (seeded), then stably sorted
// by size, largest first, so equal-sized groups keep the seeded order; each
// group goes to the test fold with the fewest samples so far (ties: the lowest
// fold index). Every test fold gets at least one group.
// Errors: k < 2; fewer distinct groups than k.
SplitResult groupedKFold(const std::vector<int>& groups, int k, std::uint64_t seed);

// Time split: one Fold, train on earlier captures, test on later ones.
// `groupTime[i]` is the time of sample i's group (e.g. the capture's start,
// any monotonic unit), parallel to `groups`; a group's time is the smallest
// groupTime among its samples (normally they are all equal). Groups are
// ordered by (time, group id), earliest first; train is the prefix of that
// order whose sample count is closest to trainFraction * n (ties: the shorter
// prefix), with at least one group in train and one in test; test is the
// rest. Groups never straddle; a group with the same time as the last
// train group may still be in test (the group id decides).
// Errors: sizes differ; trainFraction not in (0, 1); fewer than 2 groups.
SplitResult timeSplit(const std::vector<std::int64_t>& groupTime, const std::vector<int>& groups,
                      double trainFraction);

// Stratified holdout of a training fold for early stopping (so nothing of the
// test fold is used). Only the samples in `trainIndices` (indices into
// `classes`) are considered; fit and validation partition them.
// Size: the validation set has ceil(fraction * m) samples (m = trainIndices
// size; scikit-learn's train_test_split rounds the test size up the same
// way), limited by the caps below. ceil and floor here allow 1e-9 of rounding
// error (0.07 * 100, 7.000000000000001 in double, counts as 7).
// Per class c with m_c samples the quota is fraction * m_c; each class first
// gets floor(quota), then the remaining samples go one at a time to the
// classes with the largest fractional part of their quota (ties: the class
// with more samples, then the lower class id), repeating in that order while
// samples remain. A class never gives more than m_c - 1 samples, so a class
// with 1 sample stays in fit. Which samples of a class go to validation is
// seeded (a shuffle of that class's samples, taken in ascending index order
// first, so the order of trainIndices does not matter).
// fraction = 0 gives an empty validation set.
// Errors: fraction not in [0, 1); an index out of range or repeated.
ValidationSplit stratifiedValidationSplit(const std::vector<int>& classes,
                                          const std::vector<std::size_t>& trainIndices,
                                          double fraction, std::uint64_t seed);

} // namespace snilab
