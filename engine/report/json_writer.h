// The one JSON writer (RFC 8259) of snilab's machine-readable output (the
// CLI's --json): one document, built in memory, pretty-printed with two-space
// indentation.
//
// Strings from the traffic (SNIs, labels, file names, error texts) are
// carried exactly, and the output is pure ASCII, so no string can change the
// document's structure or a terminal's state:
//   quote and backslash               -> \" and \\ (escaped)
//   \b \f \n \r \t                    -> themselves
//   other C0 controls, DEL and every
//   code point above U+007E           -> \uXXXX (UTF-16, surrogate pairs
//                                        above U+FFFF)
//   each byte that is not part of
//   valid UTF-8                       -> \uFFFD (the one lossy case)
// Numbers: integers exactly; doubles in the shortest form that reads back
// to the same value; NaN and infinities (which JSON lacks) as null.
//
// Misuse (a value in an object without a key, closing what was not opened,
// text() before the document is complete) throws std::logic_error.
// Thread: one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace snilab::report {

class JsonWriter {
public:
    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    // The key of the next value of the object being written.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    template <class T>
    requires std::is_arithmetic_v<T> JsonWriter& value(T number)
    {
        if constexpr (std::is_same_v<T, bool>)
            return literal(number ? "true" : "false");
        else if constexpr (std::is_floating_point_v<T>)
            return real(static_cast<double>(number));
        else if constexpr (std::is_signed_v<T>)
            return integer(static_cast<std::int64_t>(number));
        else
            return unsignedInteger(static_cast<std::uint64_t>(number));
    }
    JsonWriter& null() { return literal("null"); }

    // key(name).value(v) in one call.
    template <class T> JsonWriter& field(std::string_view name, const T& v)
    {
        key(name);
        return value(v);
    }

    // The document, ending in a newline.
    std::string text() const;

private:
    JsonWriter& literal(std::string_view token);
    JsonWriter& close(bool object);
    JsonWriter& integer(std::int64_t number);
    JsonWriter& unsignedInteger(std::uint64_t number);
    JsonWriter& real(double number);
    void beforeValue();
    void newline();

    struct Level {
        bool object;
        bool empty = true;
    };
    std::string m_out;
    std::vector<Level> m_levels;
    bool m_haveKey = false;
    bool m_done = false;
};

// `text` as a quoted JSON string, by the rule above.
std::string jsonString(std::string_view text);

} // namespace snilab::report
