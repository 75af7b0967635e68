#include "tasks/prediction_csv.h"

#include "report/atomic_file.h"
#include "report/table_writer.h"

namespace snilab {

std::vector<std::string> predictionCsvHeader()
{
    return {"capture",   "client_ip",   "client_port", "server_ip", "server_port", "start_ns",
            "transport", "tls",         "sni",         "ech",       "true_label",  "known_class",
            "predicted", "probability", "top",         "correct"};
}

std::vector<std::string> predictionCsvRow(const PredictedConnection& r, int decimals)
{
    const ConnectionRow& c = r.connection;
    return {c.capturePath,
            c.clientIp,
            std::to_string(c.clientPort),
            c.serverIp,
            std::to_string(c.serverPort),
            std::to_string(c.startNs),
            std::string(transportName(c.transport)),
            c.hasClientHello ? "1" : "0",
            c.sni,
            c.ech ? "1" : "0",
            r.trueLabel,
            r.knownClass ? "1" : "0",
            r.predicted,
            report::probabilityText(r.probability, decimals),
            report::labelProbabilityList(r.top, decimals),
            r.knownClass ? (r.correct() ? "1" : "0") : ""};
}

void writePredictionCsv(const std::filesystem::path& path,
                        const std::vector<const PredictedConnection*>& rows,
                        const std::vector<report::GuardedInput>& inputs, int decimals)
{
    report::refuseOverwrite(path, inputs, "the prediction CSV");
    report::AtomicFile file(path);
    {
        report::TableWriter csv(file.stream(), report::TableWriter::Style::Csv);
        csv.row(predictionCsvHeader());
        for (const PredictedConnection* r : rows)
            csv.row(predictionCsvRow(*r, decimals));
    }
    file.commit();
}

} // namespace snilab
