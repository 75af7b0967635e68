#include "cli_args.h"

#include "common/text_parse.h"

namespace snilab::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags)
{
    bool onlyPositional = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (onlyPositional || a.size() < 2 || a.rfind("--", 0) != 0) {
            if (!onlyPositional && a.size() >= 2 && a[0] == '-' && a[1] != '-')
                throw UsageError("unknown option " + a);
            m_positional.push_back(a);
            continue;
        }
        if (a == "--") {
            onlyPositional = true;
            continue;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name.resize(eq);
        }
        if (valued.count(name)) {
            if (m_values.count(name))
                throw UsageError("option --" + name + " given twice");
            if (inlineValue)
                m_values[name] = *inlineValue;
            else if (i + 1 < argv.size())
                m_values[name] = argv[++i];
            else
                throw UsageError("option --" + name + " needs a value");
        } else if (flags.count(name)) {
            if (inlineValue)
                throw UsageError("option --" + name + " takes no value");
            m_flags.insert(name);
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
}

std::optional<std::string> Args::value(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end())
        return std::nullopt;
    return it->second;
}

std::string Args::required(const std::string& name) const
{
    auto v = value(name);
    if (!v || v->empty())
        throw UsageError("missing --" + name);
    return *v;
}

unsigned long long Args::number(const std::string& name, unsigned long long fallback) const
{
    const auto v = value(name);
    if (!v)
        return fallback;
    const auto bad = [&] {
        return UsageError("--" + name + " needs a non-negative whole number, not '" + *v + "'");
    };
    // Digits only (no blanks, no sign), in range: "-1" never wraps.
    if (const auto n = parseNumber<unsigned long long>(*v))
        return *n;
    throw bad();
}

} // namespace snilab::cli
