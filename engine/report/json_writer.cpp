#include "report/json_writer.h"

#include "report/text_escape.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace snilab::report {
namespace {

void appendUnit(std::string& out, unsigned unit)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04X", unit & 0xFFFFu);
    out += buf;
}

} // namespace

std::string jsonString(std::string_view text)
{
    std::string out = "\"";
    out.reserve(text.size() + 2);
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        switch (c) {
        case '\b':
            out += "\\b";
            ++i;
            continue;
        case '\f':
            out += "\\f";
            ++i;
            continue;
        case '\n':
            out += "\\n";
            ++i;
            continue;
        case '\r':
            out += "\\r";
            ++i;
            continue;
        case '\t':
            out += "\\t";
            ++i;
            continue;
        default: break;
        }
        std::uint32_t cp = 0;
        const std::size_t len = utf8SequenceAt(text, i, cp);
        if (len == 0) {
            appendUnit(out, 0xFFFD);
            ++i;
            continue;
        }
        if (cp > 0xFFFF) {
            cp -= 0x10000;
            appendUnit(out, 0xD800 + (cp >> 10));
            appendUnit(out, 0xDC00 + (cp & 0x3FF));
        } else {
            appendUnit(out, cp);
        }
        i += len;
    }
    out += '"';
    return out;
}

void JsonWriter::newline()
{
    m_out += '\n';
    m_out.append(2 * m_levels.size(), ' ');
}

void JsonWriter::beforeValue()
{
    if (m_done)
        throw std::logic_error("JsonWriter: a value after the document ended");
    if (m_levels.empty())
        return;
    Level& level = m_levels.back();
    if (level.object) {
        if (!m_haveKey)
            throw std::logic_error("JsonWriter: a value in an object without a key");
        m_haveKey = false;
        return;
    }
    if (!level.empty)
        m_out += ',';
    level.empty = false;
    newline();
}

JsonWriter& JsonWriter::key(std::string_view name)
{
    if (m_levels.empty() || !m_levels.back().object || m_haveKey)
        throw std::logic_error("JsonWriter: a key outside an object, or two keys in a row");
    Level& level = m_levels.back();
    if (!level.empty)
        m_out += ',';
    level.empty = false;
    newline();
    m_out += jsonString(name);
    m_out += ": ";
    m_haveKey = true;
    return *this;
}

JsonWriter& JsonWriter::beginObject()
{
    beforeValue();
    m_out += '{';
    m_levels.push_back({true});
    return *this;
}

JsonWriter& JsonWriter::beginArray()
{
    beforeValue();
    m_out += '[';
    m_levels.push_back({false});
    return *this;
}

JsonWriter& JsonWriter::close(bool object)
{
    if (m_levels.empty() || m_levels.back().object != object || (object && m_haveKey))
        throw std::logic_error(object ? "JsonWriter: endObject() without an open object"
                                      : "JsonWriter: endArray() without an open array");
    const bool empty = m_levels.back().empty;
    m_levels.pop_back();
    if (!empty)
        newline();
    m_out += object ? '}' : ']';
    m_done = m_levels.empty();
    return *this;
}

JsonWriter& JsonWriter::endObject()
{
    return close(true);
}

JsonWriter& JsonWriter::endArray()
{
    return close(false);
}

JsonWriter& JsonWriter::value(std::string_view text)
{
    beforeValue();
    m_out += jsonString(text);
    m_done = m_levels.empty();
    return *this;
}

JsonWriter& JsonWriter::literal(std::string_view token)
{
    beforeValue();
    m_out += token;
    m_done = m_levels.empty();
    return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t number)
{
    return literal(std::to_string(number));
}

JsonWriter& JsonWriter::unsignedInteger(std::uint64_t number)
{
    return literal(std::to_string(number));
}

JsonWriter& JsonWriter::real(double number)
{
    if (!std::isfinite(number))
        return literal("null");
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, number).ptr;
    return literal(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

std::string JsonWriter::text() const
{
    if (!m_done)
        throw std::logic_error("JsonWriter: the document is not complete");
    return m_out + "\n";
}

} // namespace snilab::report
