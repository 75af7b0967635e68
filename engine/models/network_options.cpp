// The torch-free parts of models/sequence_network.h: names and the paper's
// option values, shared by the LibTorch build and the stub.
#include "models/sequence_network.h"

namespace snilab {

std::string_view networkKindName(NetworkKind kind)
{
    switch (kind) {
    case NetworkKind::CnnGru: return "cnngru";
    case NetworkKind::Gru: return "gru";
    case NetworkKind::Cnn: return "cnn";
    }
    return "cnngru";
}

std::optional<NetworkKind> parseNetworkKind(std::string_view text)
{
    for (auto k : {NetworkKind::CnnGru, NetworkKind::Gru, NetworkKind::Cnn})
        if (networkKindName(k) == text)
            return k;
    return std::nullopt;
}

NetworkOptions NetworkOptions::defaults(NetworkKind kind)
{
    NetworkOptions o;
    o.kind = kind;
    if (kind == NetworkKind::Gru)
        o.gru = 100;
    if (kind == NetworkKind::Cnn) {
        o.conv1 = 64;
        o.conv2 = 128;
    }
    return o;
}

} // namespace snilab
