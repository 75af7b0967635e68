// Labels derived from a ClientHello's SNI (docs/design.md section 2, "Labels").
//
// Default: lowercased (ASCII), trailing dots removed.
// Paper:   the default label, then within the labels left of the registrable
//          domain (eTLD+1 from libpsl's built-in Public Suffix List) digits and
//          '-' are removed and labels that become empty are dropped, e.g.
//          "r3---sn-4g5e6nsz.googlevideo.com" -> "rsngensz.googlevideo.com".
//          (The paper's code also deleted every 'w'; that bug is not reproduced.)
// Thread: safe (libpsl's built-in list is immutable).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace snilab {

enum class LabelMode { Default, Paper };

std::optional<LabelMode> parseLabelMode(std::string_view text);
std::string_view labelModeName(LabelMode mode);

// Empty SNI -> empty label (an unlabeled connection).
std::string normalizeLabel(std::string_view sni, LabelMode mode = LabelMode::Default);

} // namespace snilab
