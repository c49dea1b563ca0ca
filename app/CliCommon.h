#pragma once

#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>
#include <QTextStream>

namespace graft::cli {

QTextStream &out();
QTextStream &err();

/// Parses `args` (without the command name); prints errors or help. Returns false when the
/// command should exit with *exitCode.
bool parseArgs(QCommandLineParser &parser, const QString &command, const QStringList &args,
               int *exitCode);

void printJson(const QJsonObject &obj);

/// True when stderr is a terminal (progress bars are drawn only then).
bool stderrIsTerminal();

} // namespace graft::cli
