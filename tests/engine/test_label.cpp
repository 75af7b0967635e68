// Unit tests for label normalisation (flow/label.h).
#include "flow/label.h"

#include <QObject>
#include <QString>
#include <QTest>

#include <string>

using namespace snilab;

class TestLabel : public QObject {
    Q_OBJECT

private slots:
    void modeNames()
    {
        QCOMPARE(parseLabelMode("default"), std::optional<LabelMode>(LabelMode::Default));
        QCOMPARE(parseLabelMode("paper"), std::optional<LabelMode>(LabelMode::Paper));
        QVERIFY(!parseLabelMode("Paper").has_value());
        QVERIFY(!parseLabelMode("").has_value());
        QVERIFY(!parseLabelMode("papers").has_value());
        for (LabelMode m : {LabelMode::Default, LabelMode::Paper})
            QCOMPARE(parseLabelMode(labelModeName(m)), std::optional<LabelMode>(m));
    }

    void defaultMode_data()
    {
        QTest::addColumn<QString>("sni");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("already normal") << "www.example.com"
                                        << "www.example.com";
        QTest::newRow("upper case") << "WWW.Example.COM"
                                    << "www.example.com";
        QTest::newRow("trailing dot") << "example.com."
                                      << "example.com";
        QTest::newRow("trailing dots") << "Example.com..."
                                       << "example.com";
        QTest::newRow("only dots") << "..."
                                   << "";
        QTest::newRow("digits and dashes kept") << "r3---sn-4g5e6nsz.googlevideo.com"
                                                << "r3---sn-4g5e6nsz.googlevideo.com";
        QTest::newRow("single label") << "LocalHost"
                                      << "localhost";
        QTest::newRow("ip literal") << "192.168.1.1"
                                    << "192.168.1.1";
        QTest::newRow("w kept") << "www2.wikipedia.org"
                                << "www2.wikipedia.org";
    }

    void defaultMode()
    {
        QFETCH(QString, sni);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(normalizeLabel(sni.toStdString())), expected);
        QCOMPARE(QString::fromStdString(normalizeLabel(sni.toStdString(), LabelMode::Default)),
                 expected);
    }

    void paperMode_data()
    {
        QTest::addColumn<QString>("sni");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("googlevideo") << "r3---sn-4g5e6nsz.googlevideo.com"
                                     << "rsngensz.googlevideo.com";
        QTest::newRow("googlevideo upper, trailing dot") << "R3---SN-4G5E6NSZ.GoogleVideo.com."
                                                         << "rsngensz.googlevideo.com";
        QTest::newRow("co.uk, prefix unchanged") << "www.example.co.uk"
                                                 << "www.example.co.uk";
        QTest::newRow("co.uk, digits in prefix") << "img-01.cdn2.example.co.uk"
                                                 << "img.cdn.example.co.uk";
        QTest::newRow("digits-only label dropped") << "123.cdn.example.com"
                                                   << "cdn.example.com";
        QTest::newRow("dash-digit label dropped") << "1-2-3.example.com"
                                                  << "example.com";
        QTest::newRow("all prefix labels dropped") << "1.22.333.example.com"
                                                   << "example.com";
        QTest::newRow("w kept") << "www2.wikipedia.org"
                                << "www.wikipedia.org";
        QTest::newRow("w only") << "w.wow.example.org"
                                << "w.wow.example.org";
        QTest::newRow("registrable digits kept") << "a1.example123.com"
                                                 << "a.example123.com";
        QTest::newRow("registrable dash kept") << "x-1.my-site.net"
                                               << "x.my-site.net";
        QTest::newRow("registrable only") << "example.com"
                                          << "example.com";
        QTest::newRow("bare public suffix") << "co.uk"
                                            << "co.uk";
        QTest::newRow("single label") << "localhost"
                                      << "localhost";
        QTest::newRow("single label digits") << "host-42"
                                             << "host-42";
        QTest::newRow("ipv4 literal") << "192.168.1.1"
                                      << "192.168.1.1";
        QTest::newRow("ipv4 literal trailing dot") << "10.0.0.1."
                                                   << "10.0.0.1";
        QTest::newRow("ipv6 literal") << "2001:db8::1"
                                      << "2001:db8::1";
    }

    void paperMode()
    {
        QFETCH(QString, sni);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(normalizeLabel(sni.toStdString(), LabelMode::Paper)),
                 expected);
    }

    void paperIsIdempotent_data() { paperMode_data(); }

    void paperIsIdempotent()
    {
        QFETCH(QString, sni);
        const std::string once = normalizeLabel(sni.toStdString(), LabelMode::Paper);
        QCOMPARE(normalizeLabel(once, LabelMode::Paper), once);
    }
};

QTEST_APPLESS_MAIN(TestLabel)
#include "test_label.moc"
