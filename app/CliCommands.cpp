#include "CliCommands.h"

#include <QTextStream>

namespace graft::cli {

int runScan(const QStringList &args)
{
    Q_UNUSED(args);
    QTextStream(stderr) << "scan: not implemented yet\n";
    return kExitFailure;
}

} // namespace graft::cli
