// Unit tests for the output edge (engine/report/): the hostile-text rule, the
// one CSV and LaTeX writers, file-safe names, atomic files and the
// never-overwrite-an-input guard; and the one validated configuration
// (threshold lists, EvaluationConfig::validate()).
#include "dataset/thresholds.h"
#include "eval/evaluator.h"
#include "report/atomic_file.h"
#include "report/csv.h"
#include "report/file_names.h"
#include "report/label_list.h"
#include "report/latex.h"
#include "report/output_guard.h"
#include "report/result_table.h"
#include "report/text_escape.h"

#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace snilab;
using namespace snilab::report;
namespace fs = std::filesystem;

namespace {

std::string readText(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

// Every entry of `dir` (names only).
std::vector<std::string> entries(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

class TestReport : public QObject {
    Q_OBJECT

private slots:
    void escapeText_data()
    {
        QTest::addColumn<QByteArray>("in");
        QTest::addColumn<QByteArray>("out");
        QTest::newRow("plain") << QByteArray("www.example.com") << QByteArray("www.example.com");
        QTest::newRow("newline") << QByteArray("a\nb\r") << QByteArray("a\\x0ab\\x0d");
        QTest::newRow("nul") << QByteArray("a\0b", 3) << QByteArray("a\\x00b");
        QTest::newRow("escape-seq") << QByteArray("\x1b[2J") << QByteArray("\\x1b[2J");
        QTest::newRow("del") << QByteArray("\x7f") << QByteArray("\\x7f");
        QTest::newRow("backslash") << QByteArray("a\\x0a") << QByteArray("a\\\\x0a");
        QTest::newRow("utf8-kept") << QByteArray("b\xc3\xbcro \xe2\x80\x93 \xf0\x9f\x98\x80")
                                   << QByteArray("b\xc3\xbcro \xe2\x80\x93 \xf0\x9f\x98\x80");
        QTest::newRow("invalid-utf8") << QByteArray("\xff\xc3") << QByteArray("\\xff\\xc3");
        QTest::newRow("overlong") << QByteArray("\xc0\xaf") << QByteArray("\\xc0\\xaf");
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QByteArray("\\xed\\xa0\\x80");
        QTest::newRow("rlo") << QByteArray("moc.\xe2\x80\xaelive")
                             << QByteArray("moc.\\u{202E}live");
        QTest::newRow("isolate") << QByteArray("\xe2\x81\xa6x") << QByteArray("\\u{2066}x");
        QTest::newRow("c1") << QByteArray("\xc2\x9b") << QByteArray("\\u{009B}");
    }
    void escapeText()
    {
        QFETCH(QByteArray, in);
        QFETCH(QByteArray, out);
        const std::string raw(in.constData(), static_cast<std::size_t>(in.size()));
        const std::string escaped = report::escapeText(raw);
        QCOMPARE(QByteArray::fromStdString(escaped), out);
        QCOMPARE(isPlainText(raw), in == out);
        for (unsigned char c : escaped)
            QVERIFY(c >= 0x20 && c != 0x7f);
    }

    void csvCell_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        QTest::newRow("plain") << "abc"
                               << "abc";
        QTest::newRow("comma") << "a,b"
                               << "\"a,b\"";
        QTest::newRow("quote") << "say \"hi\""
                               << "\"say \"\"hi\"\"\"";
        QTest::newRow("newline") << "a\nb"
                                 << "a\\x0ab";
        QTest::newRow("formula-eq") << "=HYPERLINK(\"x\")"
                                    << "\"'=HYPERLINK(\"\"x\"\")\"";
        QTest::newRow("formula-plus") << "+cmd"
                                      << "'+cmd";
        QTest::newRow("formula-minus") << "-2+3"
                                       << "'-2+3";
        QTest::newRow("formula-at") << "@SUM(A1)"
                                    << "'@SUM(A1)";
        QTest::newRow("leading-tab") << "\t=1"
                                     << "\\x09=1";
        QTest::newRow("leading-cr") << "\r=1"
                                    << "\\x0d=1";
        QTest::newRow("negative-number") << "-0.25"
                                         << "-0.25";
        QTest::newRow("exponent") << "+1e-3"
                                  << "+1e-3";
        QTest::newRow("minus-alone") << "-"
                                     << "'-";
        QTest::newRow("apostrophe-formula") << "'=x"
                                            << "\\x27=x";
        QTest::newRow("apostrophe-text") << "'quoted'"
                                         << "'quoted'";
        QTest::newRow("empty") << ""
                               << "";
    }
    void csvCell()
    {
        QFETCH(QString, in);
        QFETCH(QString, out);
        QCOMPARE(QString::fromStdString(report::csvCell(in.toStdString())), out);
    }

    void csvLineIsOneRecord()
    {
        const std::string line = csvLine({"a\nb", "=1+1", "x,y", "-3"});
        QCOMPARE(line, std::string("a\\x0ab,'=1+1,\"x,y\",-3\n"));
        QCOMPARE(std::count(line.begin(), line.end(), '\n'), 1);
    }

    // A stored probability (ten-thousandths) prints back as the four
    // decimals of the probability it came from, for every value.
    void tenThousandthsPrintBack()
    {
        std::mt19937_64 rng(11);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::vector<double> values = {0.0,        1.0,     0.99995, 0.99994999, 0.00005,
                                      0.00004999, 0.12345, 0.5,     1e-300,     0.9999999999};
        for (int i = 0; i < 200000; ++i)
            values.push_back(unit(rng));
        for (int q = 0; q <= 10000; ++q) // and every boundary, from both sides
            for (const double d : {-1e-12, 0.0, 1e-12})
                values.push_back(std::clamp((q + 0.5) / 1e4 + d, 0.0, 1.0));
        for (const double p : values) {
            const TopClass t{0, tenThousandthsOf(p)};
            QVERIFY(t.tenThousandths <= 10000);
            QCOMPARE(probabilityText(t.probability()), probabilityText(p));
        }
        QCOMPARE(tenThousandthsOf(-0.5), std::uint16_t{0});
        QCOMPARE(tenThousandthsOf(2.0), std::uint16_t{10000});
    }

    void plainNumbers()
    {
        for (const char* yes : {"0", "-1", "+2", "3.5", "-.5", "6.", "1e9", "-2.5E-3"})
            QVERIFY2(isPlainNumber(yes), yes);
        for (const char* no : {"", "-", "+", ".", "e5", "1e", "--1", "1-2", "0x10", "1 ", "-1)"})
            QVERIFY2(!isPlainNumber(no), no);
    }

    void resultTableText()
    {
        ResultTable t(
            {{"label", "Label", 'l'}, {"n", "N"}, {"acc", "Accuracy"}, {"t1", "T1", 'c'}});
        t.addRow(
            cells(std::string("=cmd()\nx"), std::int64_t{7}, 0.97123456, MeanStd{0.97, 0.008, 10}));
        t.addRow(cells(std::string("a&b"), Cell(), Cell(), MeanStd{0.5, 0.25, 1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, t.addRow(cells(std::string("short"))));
        // CSV: the one cell rule (escape, formula, quoting); missing is
        // empty; a mean ± std column is two numeric columns (one fold: no std).
        QCOMPARE(tableCsv(t), std::string("label,n,acc,t1_mean,t1_std\n"
                                          "'=cmd()\\x0ax,7,0.971235,0.970000,0.008000\n"
                                          "a&b,,,0.500000,\n"));
        // LaTeX: every cell escaped, missing is the en dash, aligns from the columns.
        const std::string tex = tableLatex(t, "run 1\n\\end{document}");
        QVERIFY(tex.starts_with("% run 1\\x0a"));
        QVERIFY(tex.find("\\begin{tabular}{lrrc}") != std::string::npos);
        QVERIFY(tex.find("a\\&b & -- & -- & 0.500 \\\\") != std::string::npos);
        QVERIFY(tex.find("0.970 $\\pm$ 0.008") != std::string::npos);
        // Display: three decimals, the screen title, numbers behind the cells.
        QCOMPARE(cellText(t.cell(0, 2), t.column(2), CellStyle::Display), std::string("0.971"));
        QCOMPARE(t.column(2).displayTitle(), std::string("Accuracy"));
        QCOMPARE(*cellNumber(t.cell(0, 3)), 0.97);
        QVERIFY(!cellNumber(t.cell(1, 1)));
        QCOMPARE(cellText(t.cell(1, 1), t.column(1), CellStyle::Display), std::string("–"));
    }

    void latexEscape()
    {
        QCOMPARE(report::latexEscape("a_b & 100% $x$ #1 {y} ~ ^ \\"),
                 std::string("a\\_b \\& 100\\% \\$x\\$ \\#1 \\{y\\} \\textasciitilde{} "
                             "\\textasciicircum{} \\textbackslash{}\\textbackslash{}"));
        // (a backslash is first doubled by escapeText(), as everywhere: the
        // table shows "\\", never a backslash that could start an escape)
        QCOMPARE(report::latexEscape("0.970 \xc2\xb1 0.008"), std::string("0.970 $\\pm$ 0.008"));
        QCOMPARE(report::latexEscape("\xe2\x80\x93"), std::string("--"));
        // A newline in a label cannot end a table row.
        QCOMPARE(report::latexEscape("a\n\\\\b"),
                 std::string("a\\textbackslash{}x0a\\textbackslash{}\\textbackslash{}"
                             "\\textbackslash{}\\textbackslash{}b"));
        QCOMPARE(latexRow({"a", "b"}), std::string("a & b \\\\\n"));
    }

    void fileSafeNames()
    {
        QCOMPARE(fileSafeName("0.5*rf+1/6*cnngru-packet"), std::string("0.5_rf+1_6_cnngru-packet"));
        QCOMPARE(fileSafeName("cnngru-mean"), std::string("cnngru-mean"));
        QCOMPARE(fileSafeName("../../etc/passwd"), std::string(".._.._etc_passwd"));
        QCOMPARE(fileSafeName(".."), std::string("_"));
        QCOMPARE(fileSafeName(""), std::string("_"));
        QCOMPARE(fileSafeName("b\xc3\xbc"), std::string("b__"));
    }

    void atomicFileCommitsWhole()
    {
        QTemporaryDir dir;
        const fs::path target = dir.path().toStdString() + "/out.csv";
        writeText(target, "old content\n");
        {
            AtomicFile file(target);
            file.write("new ");
            // Until commit the target is untouched; the temporary is hidden.
            QCOMPARE(readText(target), std::string("old content\n"));
            QCOMPARE(file.temporaryPath().parent_path(), target.parent_path());
            QVERIFY(file.temporaryPath().filename().string().rfind(".out.csv.snilab-", 0) == 0);
            QVERIFY(file.temporaryPath().filename().string().find(std::to_string(getpid())) !=
                    std::string::npos);
            file.write("content\n");
            file.commit();
        }
        QCOMPARE(readText(target), std::string("new content\n"));
        QCOMPARE(entries(dir.path().toStdString()), std::vector<std::string>{"out.csv"});
    }

    void atomicFileAbandonedLeavesNothing()
    {
        QTemporaryDir dir;
        const fs::path target = dir.path().toStdString() + "/report.tex";
        writeText(target, "kept\n");
        try {
            AtomicFile file(target);
            file.write("half a tab");
            throw std::runtime_error("the job failed midway");
        } catch (const std::runtime_error&) {
        }
        QCOMPARE(readText(target), std::string("kept\n"));
        QCOMPARE(entries(dir.path().toStdString()), std::vector<std::string>{"report.tex"});
        // A new target that was never committed does not appear at all.
        {
            AtomicFile never(dir.path().toStdString() + "/never.csv");
        }
        QCOMPARE(entries(dir.path().toStdString()), std::vector<std::string>{"report.tex"});
    }

    void atomicFileNeverFollowsSymlinks()
    {
        QTemporaryDir dir;
        const fs::path victim = dir.path().toStdString() + "/victim";
        const fs::path target = dir.path().toStdString() + "/out.csv";
        writeText(victim, "precious\n");
        fs::create_symlink(victim, target);
        writeFileAtomically(target, "output\n");
        // The link itself was replaced; the file it pointed to is unchanged.
        QCOMPARE(readText(victim), std::string("precious\n"));
        QVERIFY(!fs::is_symlink(target));
        QCOMPARE(readText(target), std::string("output\n"));
    }

    void atomicFileErrors()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(OutputError,
                                 AtomicFile(dir.path().toStdString() + "/no/such/dir/x.csv"));
        // A directory in the target's place: the rename fails, nothing is left.
        const fs::path asDir = dir.path().toStdString() + "/taken";
        fs::create_directory(asDir);
        fs::create_directory(asDir / "inside");
        try {
            writeFileAtomically(asDir, "x");
            QFAIL("a file replaced a non-empty directory");
        } catch (const OutputError& e) {
            QVERIFY2(std::string(e.what()).find("taken") != std::string::npos, e.what());
        }
        QCOMPARE(entries(dir.path().toStdString()), std::vector<std::string>{"taken"});
    }

    void staleTemporariesOfDeadProcessesAreRemoved()
    {
        QTemporaryDir dir;
        const fs::path d = dir.path().toStdString();
        // pid 0x7ffffff0 does not exist; our own pid does; another host's
        // pids cannot be checked.
        char host[256] = {};
        QCOMPARE(gethostname(host, sizeof host - 1), 0);
        std::string hostTag = host;
        std::replace(hostTag.begin(), hostTag.end(), '-', '_');
        std::replace(hostTag.begin(), hostTag.end(), '/', '_');
        const std::string tag = ".snilab-" + hostTag + "-";
        writeText(d / (".out.csv" + tag + "2147483632-00000000000000aa.tmp"), "left by a kill");
        const std::string mine =
            ".out.csv" + tag + std::to_string(getpid()) + "-00000000000000bb.tmp";
        writeText(d / mine, "a live writer's");
        const std::string other = ".other.csv" + tag + "2147483632-00000000000000cc.tmp";
        writeText(d / other, "another target");
        const std::string remote = ".out.csv.snilab-elsewhere-2147483632-00000000000000dd.tmp";
        writeText(d / remote, "another host's writer");
        // A host whose name extends ours ("<host>-2", written "<host>_2") is another host.
        const std::string longer =
            ".out.csv.snilab-" + hostTag + "_2-2147483632-00000000000000ee.tmp";
        writeText(d / longer, "host <ours>-2's writer");
        writeFileAtomically(d / "out.csv", "x\n");
        std::vector<std::string> expected = {other, mine, remote, longer, "out.csv"};
        std::sort(expected.begin(), expected.end());
        QCOMPARE(entries(d), expected);
    }

    void signalCleanupRemovesTemporaries()
    {
        QTemporaryDir dir;
        AtomicFile file(dir.path().toStdString() + "/partial.csv");
        file.write("half");
        QVERIFY(fs::exists(file.temporaryPath()));
        removeTemporariesFromSignalHandler();
        QVERIFY(!fs::exists(file.temporaryPath()));
    }

    void refuseOverwriteComparesInodes()
    {
        QTemporaryDir dir;
        const fs::path d = dir.path().toStdString();
        writeText(d / "cat.sqlite", "db");
        writeText(d / "cat.sqlite-wal", "wal");
        writeText(d / "day3.pcap.gz", "capture");
        fs::create_symlink(d / "cat.sqlite", d / "link.csv");
        fs::create_hard_link(d / "day3.pcap.gz", d / "hard.csv");
        std::vector<GuardedInput> inputs = catalogInputs(d / "cat.sqlite");
        inputs.push_back({d / "day3.pcap.gz", "a capture"});
        const auto refused = [&](const fs::path& out) {
            try {
                refuseOverwrite(out, inputs, "--out");
                return false;
            } catch (const OutputConflict&) {
                return true;
            }
        };
        QVERIFY(refused(d / "cat.sqlite"));
        QVERIFY(refused(d / "." / "cat.sqlite"));
        QVERIFY(refused(d / "cat.sqlite-wal"));
        // The side files are refused by name even while absent.
        QVERIFY(refused(d / "cat.sqlite-journal"));
        QVERIFY(refused(d / "." / "cat.sqlite-shm"));
        // A catalog opened through a symlink: SQLite's journal is named after
        // the target, and both names are refused.
        fs::create_symlink(d / "cat.sqlite", d / "alias.sqlite");
        const auto viaLink = catalogInputs(d / "alias.sqlite");
        const auto refusedVia = [&](const fs::path& out) {
            try {
                refuseOverwrite(out, viaLink, "--out");
                return false;
            } catch (const OutputConflict&) {
                return true;
            }
        };
        QVERIFY(refusedVia(d / "cat.sqlite-journal"));
        QVERIFY(refusedVia(d / "alias.sqlite-journal"));
        QVERIFY(refusedVia(d / "cat.sqlite"));
        QVERIFY(!refusedVia(d / "other.sqlite-journal"));
        QVERIFY(refused(d / "link.csv"));
        QVERIFY(refused(d / "hard.csv"));
        QVERIFY(refused(d / "day3.pcap.gz"));
        QVERIFY(!refused(d / "new.csv"));
        writeText(d / "other.csv", "x");
        QVERIFY(!refused(d / "other.csv"));
        QVERIFY(sameFile(d / "hard.csv", d / "day3.pcap.gz"));
        QVERIFY(!sameFile(d / "other.csv", d / "day3.pcap.gz"));
    }

    // The `top` list: a label holding the separators or the escape cannot
    // make the list split wrongly.
    void labelProbabilityLists()
    {
        QCOMPARE(QString::fromStdString(labelProbabilityList({})), QString());
        QCOMPARE(QString::fromStdString(labelProbabilityList({{"a.example", 0.75}, {"b", 0.125}})),
                 QStringLiteral("a.example:0.7500;b:0.1250"));
        const std::string hostile =
            labelProbabilityList({{"x;y:0.9", 0.5}, {"back\\slash", 0.25}, {":", 0.0}});
        QCOMPARE(QString::fromStdString(hostile),
                 QStringLiteral("x\\;y\\:0.9:0.5000;back\\\\slash:0.2500;\\::0.0000"));
        // Split on unescaped ';', then the last unescaped ':': the labels come back.
        std::vector<std::string> labels;
        std::string cur;
        for (std::size_t i = 0; i < hostile.size(); ++i) {
            if (hostile[i] == '\\' && i + 1 < hostile.size()) {
                cur += hostile[++i];
            } else if (hostile[i] == ';') {
                labels.push_back(cur.substr(0, cur.rfind(':')));
                cur.clear();
            } else {
                cur += hostile[i];
            }
        }
        labels.push_back(cur.substr(0, cur.rfind(':')));
        QCOMPARE(labels.size(), std::size_t{3});
        QCOMPARE(QString::fromStdString(labels[0]), QStringLiteral("x;y:0.9"));
        QCOMPARE(QString::fromStdString(labels[1]), QStringLiteral("back\\slash"));
        QCOMPARE(QString::fromStdString(labels[2]), QStringLiteral(":"));
    }

    void thresholdLists_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // "" = refused
        QTest::newRow("one") << "100"
                             << "100";
        QTest::newRow("sorted") << "300, 100,200"
                                << "100,200,300";
        QTest::newRow("range") << "100-500/200"
                               << "100,300,500";
        QTest::newRow("zero") << "0"
                              << "0";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("blank") << "  "
                               << "";
        QTest::newRow("empty-item") << "100,,200"
                                    << "";
        QTest::newRow("trailing-comma") << "100,"
                                        << "";
        QTest::newRow("duplicate") << "100,100"
                                   << "";
        QTest::newRow("dup-in-range") << "100-300/100,200"
                                      << "";
        QTest::newRow("negative") << "-5"
                                  << "";
        QTest::newRow("sign") << "+5"
                              << "";
        QTest::newRow("word") << "abc"
                              << "";
        QTest::newRow("huge") << "99999999999"
                              << "";
        QTest::newRow("zero-step") << "1-5/0"
                                   << "";
        QTest::newRow("backwards") << "5-1/1"
                                   << "";
        QTest::newRow("too-many") << "0-1000000/1"
                                  << "";
    }
    void thresholdLists()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        std::string error;
        const auto list = parseThresholdList(text.toStdString(), &error);
        QCOMPARE(list.has_value(), !expected.isEmpty());
        if (list) {
            QStringList got;
            for (int t : *list)
                got << QString::number(t);
            QCOMPARE(got.join(QLatin1Char(',')), expected);
        } else {
            QVERIFY(!error.empty());
        }
    }

    void thresholdRuleNames()
    {
        for (auto rule : {ThresholdRule::AtLeast, ThresholdRule::MoreThan})
            QVERIFY(parseThresholdRule(thresholdRuleName(rule)) == rule);
        QVERIFY(!parseThresholdRule("at least"));
    }

    void configurationRules()
    {
        EvaluationConfig ok;
        ok.models = {"rf"};
        QCOMPARE(ok.validate(), std::string());
        const auto refused = [&](auto change, const char* word) {
            EvaluationConfig c = ok;
            change(c);
            const std::string why = c.validate();
            QVERIFY2(why.find(word) != std::string::npos, why.c_str());
        };
        refused([](EvaluationConfig& c) { c.patience = 0; }, "patience");
        refused([](EvaluationConfig& c) { c.folds = 1; }, "folds");
        refused([](EvaluationConfig& c) { c.thresholds = {100, 200, 100}; }, "twice");
        refused([](EvaluationConfig& c) { c.thresholds.clear(); }, "threshold");
        refused([](EvaluationConfig& c) { c.models = {"rf", ""}; }, "empty");
        refused([](EvaluationConfig& c) { c.models = {"nosuchmodel"}; }, "models");
        refused([](EvaluationConfig& c) { c.threads = -1; }, "threads");
        refused([](EvaluationConfig& c) { c.batchSize = 1; }, "batch");
        refused([](EvaluationConfig& c) { c.timeTrainFraction = 1; }, "share");
        refused([](EvaluationConfig& c) { c.device = "tpu"; }, "device");
    }
};

QTEST_APPLESS_MAIN(TestReport)
#include "test_report.moc"
