// Unit tests for the JSON writer (engine/report/json_writer.h): structure,
// the string rule (exact, pure ASCII, hostile bytes), numbers, misuse.
// The documents are also read back by Qt's JSON parser, an independent
// reader: what is written is valid JSON and means what was asked.
#include "report/json_writer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QTest>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

using namespace snilab::report;

namespace {

QJsonDocument parse(const std::string& text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), text.c_str());
    return doc;
}

bool pureAscii(const std::string& text)
{
    for (const char c : text)
        if (static_cast<unsigned char>(c) > 0x7e || (c < 0x20 && c != '\n'))
            return false;
    return true;
}

// `text` as the only value of a one-key object, read back by Qt.
QString roundTrip(const std::string& text)
{
    JsonWriter w;
    w.beginObject().field("s", text).endObject();
    const std::string out = w.text();
    if (!pureAscii(out))
        qWarning("output is not pure ASCII: %s", out.c_str());
    return parse(out).object().value("s").toString();
}

} // namespace

class TestJsonWriter : public QObject {
    Q_OBJECT

private slots:
    void nestedDocument()
    {
        JsonWriter w;
        w.beginObject()
            .field("run", std::int64_t{7})
            .field("name", "rf")
            .field("ok", true)
            .key("empty")
            .beginArray()
            .endArray()
            .key("cells")
            .beginArray()
            .beginObject()
            .field("threshold", 100)
            .field("accuracy", 0.975)
            .endObject()
            .value(std::uint64_t{18446744073709551615ull})
            .null()
            .endArray()
            .key("none")
            .beginObject()
            .endObject()
            .endObject();
        const std::string text = w.text();
        QCOMPARE(text.back(), '\n');
        const QJsonObject o = parse(text).object();
        QCOMPARE(o.value("run").toInt(), 7);
        QCOMPARE(o.value("name").toString(), QStringLiteral("rf"));
        QCOMPARE(o.value("ok").toBool(), true);
        QVERIFY(o.value("empty").toArray().isEmpty());
        const QJsonArray cells = o.value("cells").toArray();
        QCOMPARE(cells.size(), 3);
        QCOMPARE(cells[0].toObject().value("threshold").toInt(), 100);
        QCOMPARE(cells[0].toObject().value("accuracy").toDouble(), 0.975);
        QVERIFY(cells[2].isNull());
        QVERIFY(o.value("none").toObject().isEmpty());
        // Integers are written exactly (Qt reads this one as a double).
        QVERIFY(text.find("18446744073709551615") != std::string::npos);
    }

    void stringsAreExactAndAscii_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << QByteArray("www.example.com")
                               << QStringLiteral("www.example.com");
        QTest::newRow("quote backslash") << QByteArray("a\"b\\c") << QStringLiteral("a\"b\\c");
        QTest::newRow("newline injection") << QByteArray("evil.example\n\"label\": \"x\"")
                                           << QStringLiteral("evil.example\n\"label\": \"x\"");
        QTest::newRow("nul") << QByteArray("nul\0byte", 8) << QString::fromUtf8("nul\0byte", 8);
        QTest::newRow("escape sequence") << QByteArray("\x1b[2J\x1b]0;pwned\x07")
                                         << QString::fromLatin1("\x1b[2J\x1b]0;pwned\x07");
        QTest::newRow("del") << QByteArray("a\x7f") << QString::fromLatin1("a\x7f");
        QTest::newRow("bidi override")
            << QByteArray("moc.\xe2\x80\xaelive") << QString::fromUtf8("moc.\xe2\x80\xaelive");
        QTest::newRow("accented") << QByteArray("caf\xc3\xa9") << QString::fromUtf8("caf\xc3\xa9");
        QTest::newRow("emoji (surrogate pair)")
            << QByteArray("\xf0\x9f\x94\x92") << QString::fromUtf8("\xf0\x9f\x94\x92");
        QTest::newRow("invalid bytes")
            << QByteArray("\xff\xfeinvalid") << (QString(2, QChar(0xFFFD)) + "invalid");
        QTest::newRow("truncated sequence at end")
            << QByteArray("ab\xe2\x80") << (QStringLiteral("ab") + QString(2, QChar(0xFFFD)));
        QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << QString(2, QChar(0xFFFD));
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QString(3, QChar(0xFFFD));
    }

    void stringsAreExactAndAscii()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, expected);
        QCOMPARE(roundTrip(raw.toStdString()), expected);
        QVERIFY(pureAscii(jsonString(raw.toStdString())));
    }

    void keysFollowTheStringRule()
    {
        JsonWriter w;
        w.beginObject().field("k\"\n", 1).endObject();
        QCOMPARE(w.text(), std::string("{\n  \"k\\\"\\n\": 1\n}\n"));
    }

    void numbers()
    {
        JsonWriter w;
        w.beginArray()
            .value(0.1)
            .value(1e-5)
            .value(-2.5e300)
            .value(std::nan(""))
            .value(std::numeric_limits<double>::infinity())
            .value(-42)
            .value(3u)
            .endArray();
        const QJsonArray a = parse(w.text()).array();
        QCOMPARE(a.size(), 7);
        QCOMPARE(a[0].toDouble(), 0.1); // shortest form, read back exactly
        QCOMPARE(a[1].toDouble(), 1e-5);
        QCOMPARE(a[2].toDouble(), -2.5e300);
        QVERIFY(a[3].isNull());
        QVERIFY(a[4].isNull());
        QCOMPARE(a[5].toInt(), -42);
        QCOMPARE(a[6].toInt(), 3);
        QVERIFY(w.text().find("0.1,") != std::string::npos);
    }

    void misuseThrows()
    {
        {
            JsonWriter w;
            w.beginObject();
            QVERIFY_THROWS_EXCEPTION(std::logic_error, w.value(1)); // no key
        }
        {
            JsonWriter w;
            w.beginArray();
            QVERIFY_THROWS_EXCEPTION(std::logic_error, w.key("k")); // key in an array
            QVERIFY_THROWS_EXCEPTION(std::logic_error, w.endObject());
            QVERIFY_THROWS_EXCEPTION(std::logic_error, w.text()); // not complete
        }
        {
            JsonWriter w;
            w.beginObject().key("a");
            QVERIFY_THROWS_EXCEPTION(std::logic_error, w.key("b"));    // two keys
            QVERIFY_THROWS_EXCEPTION(std::logic_error, w.endObject()); // key without value
        }
        {
            JsonWriter w;
            w.value("only");
            QCOMPARE(w.text(), std::string("\"only\"\n"));
            QVERIFY_THROWS_EXCEPTION(std::logic_error, w.value(2)); // after the end
        }
    }
};

QTEST_APPLESS_MAIN(TestJsonWriter)
#include "test_json_writer.moc"
