// The one rule that makes a string from the traffic (an SNI, a label, a file
// name, an error text) safe to show in a terminal and to store in a text file:
// it can change neither a terminal's state nor a file's structure, and the
// original bytes can always be told apart from the escapes.
//
//   '\'                               -> "\\"
//   C0 controls (0x00-0x1f), DEL      -> "\xNN"  (two lower-case hex digits)
//   bytes that are not valid UTF-8    -> "\xNN"  (each byte)
//   C1 controls (U+0080-U+009F) and
//   invisible direction marks and
//   overrides (U+061C, U+200E, U+200F,
//   U+202A-U+202E, U+2066-U+2069)     -> "\u{XXXX}" (upper-case hex)
//   everything else (valid, printable UTF-8) is kept as is.
//
// docs/outputs.md describes the rule for users. Thread: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace snilab::report {

std::string escapeText(std::string_view text);
// True when escapeText() would return `text` unchanged.
bool isPlainText(std::string_view text);
// The length of the valid UTF-8 sequence at text[i] (i < text.size()) and its
// code point in `cp`, or 0 when the bytes there are not valid UTF-8 (overlong
// forms, surrogates and values above U+10FFFF are invalid).
std::size_t utf8SequenceAt(std::string_view text, std::size_t i, std::uint32_t& cp);

} // namespace snilab::report
