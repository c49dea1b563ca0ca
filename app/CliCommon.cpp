#include "CliCommon.h"

#include "CliCommands.h"

#include <QJsonDocument>

#include <unistd.h>

namespace graft::cli {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

bool parseArgs(QCommandLineParser &parser, const QString &command, const QStringList &args,
               int *exitCode)
{
    parser.addHelpOption();
    QStringList full = args;
    full.prepend(QStringLiteral("graft-cli ") + command);
    if (!parser.parse(full)) {
        err() << "graft-cli " << command << ": " << parser.errorText() << "\n";
        *exitCode = kExitFailure;
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        *exitCode = kExitOk;
        return false;
    }
    return true;
}

void printJson(const QJsonObject &obj)
{
    out() << QJsonDocument(obj).toJson(QJsonDocument::Indented);
    out().flush();
}

bool stderrIsTerminal()
{
    return isatty(STDERR_FILENO) == 1;
}

} // namespace graft::cli
