// The run registry (its tables: database.cpp, kRunSchema).
#include "catalog/run_registry.h"

#include "catalog/database.h"
#include "catalog/row_sql.h"
#include "catalog/sqlite_statement.h"
#include "common/process_identity.h"

#include <cmath>
#include <span>

namespace snilab {

std::int64_t RunRegistry::createRun(const std::string& config, std::uint64_t seed,
                                    const std::string& dataFingerprint)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(), "INSERT INTO runs (status, config, seed, data_fingerprint, owner) "
                               "VALUES ('running', ?1, ?2, ?3, ?4)");
    s.bind(1, config).bind(2, static_cast<std::int64_t>(seed)).bind(3, dataFingerprint);
    s.bind(4, currentProcessOwner()).run();
    return sqlite3_last_insert_rowid(m_db.handle());
}

namespace {

void bindDouble(sqlite3* db, Statement& st, int i, double v)
{
    if (sqlite3_bind_double(st.handle(), i, v) != SQLITE_OK)
        throw CatalogError(std::string("SQLite bind failed: ") + sqlite3_errmsg(db));
}

void insertGrid(sqlite3* db, std::int64_t runId, const ModelResult& r)
{
    Statement grid(db, "INSERT INTO run_grid (run_id, model, threshold, classes, samples, "
                       "folds) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    grid.bind(1, runId)
        .bind(2, r.model)
        .bind(3, std::int64_t{r.threshold})
        .bind(4, std::int64_t{r.classes})
        .bind(5, static_cast<std::int64_t>(r.samples))
        .bind(6, std::int64_t{r.folds})
        .run();
}

void insertMetrics(sqlite3* db, std::int64_t runId, const ModelResult& r)
{
    Statement metric(db, "INSERT INTO run_metrics (run_id, model, threshold, fold, name, "
                         "value, std) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (const auto& [name, values] : r.foldMetrics) {
        for (std::size_t f = 0; f < values.size(); ++f) {
            metric.bind(1, runId).bind(2, r.model).bind(3, std::int64_t{r.threshold});
            metric.bind(4, static_cast<std::int64_t>(f)).bind(5, name);
            bindDouble(db, metric, 6, values[f]);
            metric.run();
        }
        const auto [mean, std] = aggregate(values);
        metric.bind(1, runId).bind(2, r.model).bind(3, std::int64_t{r.threshold});
        metric.bind(4, std::int64_t{-1}).bind(5, name);
        bindDouble(db, metric, 6, mean);
        bindDouble(db, metric, 7, std);
        metric.run();
    }
}

void insertClasses(sqlite3* db, std::int64_t runId, const ModelResult& r)
{
    Statement cls(db, "INSERT INTO run_classes (run_id, model, threshold, class_index, "
                      "label, support, accuracy, precision, f1) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const ClassResult& c : r.classResults) {
        cls.bind(1, runId).bind(2, r.model).bind(3, std::int64_t{r.threshold});
        cls.bind(4, std::int64_t{c.classIndex}).bind(5, c.label);
        cls.bind(6, static_cast<std::int64_t>(c.support));
        bindDouble(db, cls, 7, c.accuracy);
        bindDouble(db, cls, 8, c.precision);
        bindDouble(db, cls, 9, c.f1);
        cls.run();
    }
}

void insertConfusion(sqlite3* db, std::int64_t runId, const ModelResult& r)
{
    Statement conf(db, "INSERT INTO run_confusion (run_id, model, threshold, true_index, "
                       "predicted_index, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    const auto k = static_cast<std::size_t>(r.classes);
    for (std::size_t i = 0; i < k && i * k < r.confusion.size(); ++i)
        for (std::size_t j = 0; j < k; ++j)
            if (const std::uint64_t n = r.confusion[i * k + j]; n > 0)
                conf.bind(1, runId)
                    .bind(2, r.model)
                    .bind(3, std::int64_t{r.threshold})
                    .bind(4, static_cast<std::int64_t>(i))
                    .bind(5, static_cast<std::int64_t>(j))
                    .bind(6, static_cast<std::int64_t>(n))
                    .run();
}

// run_predictions.top since schema 7: per class, best first, uint32 class
// index and uint16 ten-thousandths, little-endian (6 bytes each, at most
// kStoredTopClasses): a fifth of the label text it replaces.
std::vector<std::uint8_t> encodeTopClasses(const PredictionRow& p)
{
    std::vector<std::uint8_t> out;
    out.reserve(std::size_t{p.topCount} * 6);
    for (std::size_t i = 0; i < p.topCount && i < kStoredTopClasses; ++i) {
        const auto c = static_cast<std::uint32_t>(p.top[i].classIndex);
        for (int b = 0; b < 4; ++b)
            out.push_back(static_cast<std::uint8_t>(c >> (8 * b)));
        out.push_back(static_cast<std::uint8_t>(p.top[i].tenThousandths));
        out.push_back(static_cast<std::uint8_t>(p.top[i].tenThousandths >> 8));
    }
    return out;
}

void decodeTopClasses(std::span<const std::uint8_t> blob, PredictionRow& p)
{
    if (blob.size() % 6 != 0 || blob.size() / 6 > kStoredTopClasses)
        throw CatalogError("connection " + std::to_string(p.connectionId) +
                           ": its stored prediction is damaged (top classes of " +
                           std::to_string(blob.size()) + " bytes)");
    p.topCount = 0;
    for (std::size_t i = 0; i < blob.size(); i += 6) {
        const std::uint32_t c = std::uint32_t{blob[i]} | std::uint32_t{blob[i + 1]} << 8 |
                                std::uint32_t{blob[i + 2]} << 16 | std::uint32_t{blob[i + 3]} << 24;
        const auto q = static_cast<std::uint16_t>(blob[i + 4] | blob[i + 5] << 8);
        if (c > 0x7fffffffu || q > 10000)
            throw CatalogError("connection " + std::to_string(p.connectionId) +
                               ": its stored prediction is damaged (class " + std::to_string(c) +
                               ", probability " + std::to_string(q) + "/10000)");
        p.top[p.topCount++] = {static_cast<std::int32_t>(c), q};
    }
}

void insertPredictions(sqlite3* db, std::int64_t runId, const ModelResult& r)
{
    Statement pred(db, "INSERT INTO run_predictions (run_id, model, threshold, fold, "
                       "connection_id, true_index, predicted_index, confidence, top) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const PredictionRow& p : r.predictions) {
        pred.bind(1, runId).bind(2, r.model).bind(3, std::int64_t{r.threshold});
        pred.bind(4, std::int64_t{p.fold}).bind(5, p.connectionId);
        pred.bind(6, std::int64_t{p.trueIndex}).bind(7, std::int64_t{p.predictedIndex});
        bindDouble(db, pred, 8, p.confidence);
        const auto top = encodeTopClasses(p);
        pred.bindBlob(9, top);
        pred.run();
    }
}

void insertEpochs(sqlite3* db, std::int64_t runId, const ModelResult& r)
{
    Statement ep(db, "INSERT INTO run_epochs (run_id, model, threshold, fold, epoch, "
                     "max_epochs, train_loss, train_accuracy, validation_loss, "
                     "validation_accuracy, seconds, improved) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    for (const EpochReport& e : r.epochs) {
        ep.bind(1, runId).bind(2, r.model).bind(3, std::int64_t{r.threshold});
        ep.bind(4, std::int64_t{e.fold}).bind(5, std::int64_t{e.epoch});
        ep.bind(6, std::int64_t{e.maxEpochs});
        bindDouble(db, ep, 7, e.trainLoss);
        bindDouble(db, ep, 8, e.trainAccuracy);
        bindDouble(db, ep, 9, e.validationLoss);
        bindDouble(db, ep, 10, e.validationAccuracy);
        bindDouble(db, ep, 11, e.seconds);
        ep.bind(12, std::int64_t{e.improved ? 1 : 0});
        ep.run();
    }
}

} // namespace

void RunRegistry::addRunResult(std::int64_t runId, const ModelResult& r)
{
    std::lock_guard lock(m_db.mutex());
    Transaction tx(m_db.handle());
    insertGrid(m_db.handle(), runId, r);
    insertMetrics(m_db.handle(), runId, r);
    insertClasses(m_db.handle(), runId, r);
    insertConfusion(m_db.handle(), runId, r);
    insertPredictions(m_db.handle(), runId, r);
    insertEpochs(m_db.handle(), runId, r);
    tx.commit();
}

void RunRegistry::finishRun(std::int64_t runId, RunStatus status, const std::string& error)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(), "UPDATE runs SET status = ?2, error = ?3, "
                               "finished_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1");
    s.bind(1, runId).bind(2, std::string(runStatusName(status))).bind(3, error).run();
}

std::vector<RunInfo> RunRegistry::all()
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
                (std::string("SELECT ") + kRunInfoColumns + " FROM runs ORDER BY id").c_str());
    std::vector<RunInfo> out;
    while (s.step())
        out.push_back(readRunInfo(s));
    return out;
}

std::optional<RunInfo> RunRegistry::find(std::int64_t runId)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
                (std::string("SELECT ") + kRunInfoColumns + " FROM runs WHERE id = ?1").c_str());
    s.bind(1, runId);
    if (!s.step())
        return std::nullopt;
    return readRunInfo(s);
}

bool RunRegistry::deleteRun(std::int64_t runId, bool evenIfUnverifiable)
{
    std::lock_guard lock(m_db.mutex());
    Transaction tx(m_db.handle());
    Statement q(m_db.handle(),
                (std::string("SELECT ") + kRunInfoColumns + " FROM runs WHERE id = ?1").c_str());
    q.bind(1, runId);
    if (q.step()) {
        const RunInfo info = readRunInfo(q);
        const OwnerState owner = ownerState(info.owner);
        if (info.status == RunStatus::Running &&
            (owner == OwnerState::Alive || !evenIfUnverifiable))
            throw CatalogError(
                "run " + std::to_string(runId) + " is still running (process " + info.owner +
                (owner == OwnerState::Alive
                     ? "); cancel it first (Ctrl-C or Cancel), then delete it"
                     : ", which cannot be checked from here: another host or a hidden "
                       "process); if it is gone, delete the run with --force"));
    }
    q.reset();
    Statement s(m_db.handle(), "DELETE FROM runs WHERE id = ?1");
    s.bind(1, runId).run();
    const bool deleted = sqlite3_changes(m_db.handle()) > 0;
    tx.commit();
    return deleted;
}

std::vector<GridCell> RunRegistry::runGrid(std::int64_t runId)
{
    std::lock_guard lock(m_db.mutex());
    Statement g(m_db.handle(), "SELECT model, threshold, classes, samples, folds FROM run_grid "
                               "WHERE run_id = ?1 ORDER BY rowid");
    g.bind(1, runId);
    std::vector<GridCell> out;
    while (g.step()) {
        GridCell c;
        c.model = g.text(0);
        c.threshold = static_cast<int>(g.i64(1));
        c.classes = static_cast<int>(g.i64(2));
        c.samples = static_cast<std::uint64_t>(g.i64(3));
        c.folds = static_cast<int>(g.i64(4));
        out.push_back(std::move(c));
    }
    Statement m(m_db.handle(),
                "SELECT name, value, coalesce(std, 0) FROM run_metrics WHERE run_id = ?1 "
                "AND model = ?2 AND threshold = ?3 AND fold = -1 ORDER BY rowid");
    for (GridCell& c : out) {
        m.bind(1, runId).bind(2, c.model).bind(3, std::int64_t{c.threshold});
        while (m.step())
            c.metrics.push_back({m.text(0), {m.real(1), m.real(2)}});
        m.reset();
    }
    return out;
}

std::vector<ClassResult> RunRegistry::runClasses(std::int64_t runId, const std::string& model,
                                                 int threshold)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(), "SELECT class_index, label, support, accuracy, precision, f1 FROM "
                               "run_classes WHERE run_id = ?1 AND model = ?2 AND threshold = ?3 "
                               "ORDER BY class_index");
    s.bind(1, runId).bind(2, model).bind(3, std::int64_t{threshold});
    std::vector<ClassResult> out;
    while (s.step())
        out.push_back({static_cast<int>(s.i64(0)), s.text(1), static_cast<std::uint64_t>(s.i64(2)),
                       s.real(3), s.real(4), s.real(5)});
    return out;
}

std::vector<std::array<std::uint64_t, 3>>
RunRegistry::runConfusion(std::int64_t runId, const std::string& model, int threshold)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(), "SELECT true_index, predicted_index, count FROM run_confusion WHERE "
                               "run_id = ?1 AND model = ?2 AND threshold = ?3 "
                               "ORDER BY true_index, predicted_index");
    s.bind(1, runId).bind(2, model).bind(3, std::int64_t{threshold});
    std::vector<std::array<std::uint64_t, 3>> out;
    while (s.step())
        out.push_back({static_cast<std::uint64_t>(s.i64(0)), static_cast<std::uint64_t>(s.i64(1)),
                       static_cast<std::uint64_t>(s.i64(2))});
    return out;
}

std::vector<EpochReport> RunRegistry::runEpochs(std::int64_t runId)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
                "SELECT model, threshold, fold, epoch, max_epochs, train_loss, "
                "train_accuracy, validation_loss, validation_accuracy, seconds, improved "
                "FROM run_epochs WHERE run_id = ?1 ORDER BY model, threshold, fold, epoch");
    s.bind(1, runId);
    std::vector<EpochReport> out;
    while (s.step()) {
        EpochReport e;
        e.model = s.text(0);
        e.threshold = static_cast<int>(s.i64(1));
        e.fold = static_cast<int>(s.i64(2));
        e.epoch = static_cast<int>(s.i64(3));
        e.maxEpochs = static_cast<int>(s.i64(4));
        e.trainLoss = s.real(5);
        e.trainAccuracy = s.real(6);
        e.validationLoss = s.real(7);
        e.validationAccuracy = s.real(8);
        e.seconds = s.real(9);
        e.improved = s.i64(10) != 0;
        out.push_back(std::move(e));
    }
    return out;
}

void RunRegistry::forEachRunPrediction(
    std::int64_t runId,
    const std::function<void(const std::string&, int, const PredictionRow&)>& visit)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
                "SELECT model, threshold, fold, connection_id, true_index, predicted_index, "
                "confidence, top FROM run_predictions WHERE run_id = ?1 "
                "ORDER BY model, threshold, connection_id");
    s.bind(1, runId);
    PredictionRow p;
    while (s.step()) {
        p.fold = static_cast<int>(s.i64(2));
        p.connectionId = s.i64(3);
        p.trueIndex = static_cast<int>(s.i64(4));
        p.predictedIndex = static_cast<int>(s.i64(5));
        p.confidence = s.real(6);
        if (s.isBlob(7)) {
            decodeTopClasses(s.blob(7), p);
            p.legacyTopText.clear();
        } else {
            p.topCount = 0;
            p.legacyTopText = s.text(7); // a run stored before schema 7
        }
        visit(s.text(0), static_cast<int>(s.i64(1)), p);
    }
}

} // namespace snilab
