#include "models/model_plan.h"

#include "common/text_parse.h"

#include <algorithm>
#include <cmath>

namespace snilab {

namespace {

bool setError(std::string* error, std::string text)
{
    if (error)
        *error = std::move(text);
    return false;
}

// Splits on '+', gluing a "dir" part to the member before it.
std::vector<std::string> members(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t plus = text.find('+', start);
        const std::string_view part = trimBlanks(text.substr(
            start, plus == std::string_view::npos ? std::string_view::npos : plus - start));
        if (part == "dir" && !out.empty())
            out.back() += "+dir";
        else
            out.emplace_back(part);
        if (plus == std::string_view::npos)
            break;
        start = plus + 1;
    }
    return out;
}

std::optional<double> parseNumber(std::string_view s)
{
    return snilab::parseNumber<double>(trimBlanks(s));
}

std::optional<double> parseWeight(std::string_view s)
{
    const auto slash = s.find('/');
    if (slash == std::string_view::npos)
        return parseNumber(s);
    const auto a = parseNumber(s.substr(0, slash));
    const auto b = parseNumber(s.substr(slash + 1));
    if (!a || !b || *b == 0)
        return std::nullopt;
    return *a / *b;
}

constexpr const char* kPaper = "0.5*rf+1/6*cnngru-packet+1/6*cnngru-payload+1/6*cnngru-iat";
constexpr const char* kCnnGruMean = "cnngru-packet+cnngru-payload+cnngru-iat";

} // namespace

std::optional<ModelSpec> parseModelName(std::string_view text, std::string* error)
{
    text = trimBlanks(text);
    ModelSpec m;
    if (text == "rf") {
        m.name = "rf";
        m.forest = true;
        return m;
    }
    std::string_view rest = text;
    if (rest.size() > 4 && rest.substr(rest.size() - 4) == "+dir") {
        m.direction = true;
        rest.remove_suffix(4);
    }
    const auto dash = rest.find('-');
    const std::string_view net = rest.substr(0, dash);
    const auto kind = parseNetworkKind(net);
    if (!kind) {
        setError(error, "unknown model '" + std::string(text) + "' (" + modelNamesHelp() + ")");
        return std::nullopt;
    }
    m.network = *kind;
    m.input = dash == std::string_view::npos ? "packet" : std::string(rest.substr(dash + 1));
    if (m.input == "packet")
        m.channels = {"size"};
    else if (m.input == "payload")
        m.channels = {"payload"};
    else if (m.input == "iat")
        m.channels = {"iat"};
    else if (m.input == "all")
        m.channels = {"size", "payload", "iat"};
    else {
        setError(error, "unknown input '" + m.input + "' in model '" + std::string(text) +
                            "' (use packet, payload, iat or all)");
        return std::nullopt;
    }
    if (m.direction)
        m.channels.push_back("dir");
    m.name = std::string(net);
    if (!(m.input == "packet" && m.network != NetworkKind::CnnGru))
        m.name += "-" + m.input;
    if (m.direction)
        m.name += "+dir";
    return m;
}

bool isEnsembleText(std::string_view text)
{
    text = trimBlanks(text);
    return text == "paper" || text == "cnngru-mean" || members(text).size() > 1 ||
           text.find('*') != std::string_view::npos;
}

std::optional<EnsembleSpec> parseEnsemble(std::string_view text, std::string* error)
{
    text = trimBlanks(text);
    EnsembleSpec e;
    e.name = std::string(text);
    std::string_view expr = text;
    if (text == "paper")
        expr = kPaper;
    else if (text == "cnngru-mean")
        expr = kCnnGruMean;
    for (const std::string& part : members(expr)) {
        std::string_view member = part;
        double weight = 1.0;
        if (const auto star = member.find('*'); star != std::string_view::npos) {
            const auto w = parseWeight(member.substr(0, star));
            if (!w || *w <= 0) {
                setError(error, "bad weight '" + std::string(trimBlanks(member.substr(0, star))) +
                                    "' in ensemble '" + e.name +
                                    "' (a number > 0, e.g. 0.5 or 1/6)");
                return std::nullopt;
            }
            weight = *w;
            member = member.substr(star + 1);
        }
        std::string why;
        const auto spec = parseModelName(member, &why);
        if (!spec) {
            setError(error, "in ensemble '" + e.name + "': " + why);
            return std::nullopt;
        }
        for (auto& [name, w] : e.members)
            if (name == spec->name) {
                setError(error, "model '" + name + "' appears twice in ensemble '" + e.name + "'");
                return std::nullopt;
            }
        e.members.emplace_back(spec->name, weight);
    }
    if (e.members.empty()) {
        setError(error, "empty ensemble");
        return std::nullopt;
    }
    return e;
}

std::optional<ModelPlan> planModels(const std::vector<std::string>& names, std::string* error)
{
    ModelPlan plan;
    const auto addModel = [&](const ModelSpec& m) {
        for (const auto& have : plan.models)
            if (have.name == m.name)
                return false;
        plan.models.push_back(m);
        return true;
    };
    std::vector<std::string> implicit;
    const auto seen = [&](const std::string& n) {
        return std::find(plan.order.begin(), plan.order.end(), n) != plan.order.end();
    };
    for (const std::string& raw : names) {
        if (trimBlanks(raw).empty())
            continue;
        if (isEnsembleText(raw)) {
            auto e = parseEnsemble(raw, error);
            if (!e)
                return std::nullopt;
            if (seen(e->name))
                continue;
            plan.order.push_back(e->name);
            plan.ensembles.push_back(*e);
            continue;
        }
        const auto m = parseModelName(raw, error);
        if (!m)
            return std::nullopt;
        if (addModel(*m))
            plan.order.push_back(m->name);
    }
    for (const auto& e : plan.ensembles)
        for (const auto& [name, w] : e.members) {
            const auto m = parseModelName(name);
            if (m && addModel(*m))
                implicit.push_back(m->name);
        }
    plan.order.insert(plan.order.end(), implicit.begin(), implicit.end());
    if (plan.models.empty()) {
        setError(error, "no models given");
        return std::nullopt;
    }
    return plan;
}

bool ModelPlan::usesForest() const
{
    return std::any_of(models.begin(), models.end(), [](const ModelSpec& m) { return m.forest; });
}

bool ModelPlan::usesNetworks() const
{
    return std::any_of(models.begin(), models.end(), [](const ModelSpec& m) { return !m.forest; });
}

std::vector<double> combineEnsemble(const EnsembleSpec& ensemble,
                                    const std::vector<const std::vector<double>*>& memberProbs)
{
    if (memberProbs.empty() || memberProbs.size() != ensemble.members.size())
        return {};
    std::vector<double> out(memberProbs.front()->size(), 0.0);
    double total = 0;
    for (std::size_t i = 0; i < memberProbs.size(); ++i) {
        const double w = ensemble.members[i].second;
        total += w;
        const auto& p = *memberProbs[i];
        for (std::size_t j = 0; j < out.size() && j < p.size(); ++j)
            out[j] += w * p[j];
    }
    for (double& v : out)
        v /= total;
    return out;
}

std::string describeModel(std::string_view name)
{
    name = trimBlanks(name);
    if (name == "paper")
        return "the paper's final ensemble: 0.5 x rf + 1/6 x each of cnngru-packet, "
               "cnngru-payload and cnngru-iat";
    if (name == "cnngru-mean")
        return "ensemble: the mean of cnngru-packet, cnngru-payload and cnngru-iat";
    std::string error;
    if (isEnsembleText(name)) {
        const auto e = parseEnsemble(name, &error);
        return e ? "ensemble of " + std::to_string(e->members.size()) + " models" : error;
    }
    const auto m = parseModelName(name, &error);
    if (!m)
        return error;
    if (m->forest)
        return "random forest on the 42 whole-connection statistics";
    const char* net = m->network == NetworkKind::CnnGru ? "CNN-GRU"
                      : m->network == NetworkKind::Gru  ? "GRU"
                                                        : "CNN";
    const char* input = m->input == "packet"    ? "IP packet sizes"
                        : m->input == "payload" ? "TCP/UDP payload sizes"
                        : m->input == "iat"     ? "inter-arrival times"
                                            : "packet sizes, payload sizes and inter-arrival times";
    return std::string(net) + " on the first 25 packets' " + input +
           (m->direction ? ", with the direction channel" : "");
}

std::string modelNamesHelp()
{
    return "models: rf, gru, cnn, cnngru-packet, cnngru-payload, cnngru-iat, any network with "
           "-packet/-payload/-iat/-all and +dir; ensembles: A+B, 0.5*A+1/6*B, cnngru-mean, paper";
}

} // namespace snilab
