// Replays every input in tests/data/malformed/fuzz/<target>/ (crashes, hangs and
// leaks the fuzzers found, fixed since) through the same code the fuzz target
// runs; under the ASan+UBSan build a regression fails loudly.
#include "fuzz_inputs.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

class TestFuzzRegressions : public QObject {
    Q_OBJECT

private slots:
    void replay_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("path");
        const QDir root(QStringLiteral(SNILAB_FUZZ_REGRESSIONS_DIR));
        int count = 0;
        for (const QString& target : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const QDir dir(root.filePath(target));
            for (const QString& name : dir.entryList(QDir::Files)) {
                QTest::newRow(qPrintable(target + "/" + name)) << target << dir.filePath(name);
                ++count;
            }
        }
        QVERIFY2(count > 0, "no regression inputs found");
    }

    void replay()
    {
        QFETCH(QString, target);
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.constData());
        const auto size = static_cast<std::size_t>(bytes.size());
        QElapsedTimer timer;
        timer.start();
        if (target == "packet_decoder")
            snilab::fuzz::packetDecoder(data, size);
        else if (target == "client_hello")
            snilab::fuzz::clientHello(data, size);
        else if (target == "stream")
            snilab::fuzz::stream(data, size);
        else if (target == "capture_file")
            snilab::fuzz::captureFile(data, size);
        else if (target == "model_file")
            snilab::fuzz::modelFile(data, size);
        else if (target == "quic_initial")
            snilab::fuzz::quicInitial(data, size);
        else if (target == "series_blob")
            snilab::fuzz::seriesBlob(data, size);
        else
            QFAIL(qPrintable("unknown fuzz target folder " + target));
        // A hang the fuzzer found must stay fixed: one input, well under a second.
        QVERIFY2(timer.elapsed() < 5000, "input took more than 5 s");
    }
};

QTEST_APPLESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
