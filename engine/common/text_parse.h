// The engine's one way to read numbers and lists from option text and stored
// configurations (CLI options, the workbench's fields, feature specs, model
// expressions, threshold lists, a run's stored configuration): exact, the
// same in every locale, never clamped.
#pragma once

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

namespace snilab {

// `text` without leading and trailing spaces and tabs.
std::string_view trimBlanks(std::string_view text) noexcept;

// The parts of `text` between `sep`s, each trimmed; empty parts are kept (the
// caller says whether they are an error): "a, b,," -> {"a", "b", "", ""}.
// The views point into `text`: it must outlive them (never a temporary).
std::vector<std::string_view> splitTrimmed(std::string_view text, char sep = ',');

// The whole of `text` as a T, or nullopt: no blanks, no '+', no trailing
// characters; integers in range ('-' only for signed types); reals finite
// ("inf" and "nan" refused), in the C locale's notation.
template <typename T> std::optional<T> parseNumber(std::string_view text) noexcept
{
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
    if (text.empty())
        return std::nullopt;
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value))
            return std::nullopt;
    }
    return value;
}

} // namespace snilab
