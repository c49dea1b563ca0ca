// graft-cli: the headless front end. Parses the command line and calls core.
#include "CliCommands.h"

#include "graft/core/Runtime.h"

#include <QCoreApplication>
#include <QTextStream>

namespace {

void printUsage(QTextStream &out)
{
    out << "Usage: graft-cli COMMAND [OPTIONS]\n\n"
           "Commands:\n"
           "  scan DIR        check a dataset folder and print its report\n"
           "  backbones       list the pretrained backbones and their weights\n"
           "  train           train a classifier on images or texts (--data DIR ...)\n"
           "  lm              train a text language model to start classifiers from\n"
           "  eval            evaluate a model (--model RUN|FILE --data DIR)\n"
           "  predict FILES   predict with --model RUN|FILE or --backbone ID\n"
           "  export          export a run's model (--model RUN --out FILE)\n"
           "  runs            list earlier runs\n"
           "  check-weights F validate safetensors weight files\n"
           "  version         print the version\n\n"
           "Run 'graft-cli COMMAND --help' for the options of a command.\n";
}

} // namespace

int main(int argc, char *argv[])
{
    graft::core::initRuntime();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("graft-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GRAFT_VERSION));

    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    QTextStream out(stdout);
    if (args.isEmpty() || args.first() == QLatin1String("--help") ||
        args.first() == QLatin1String("-h") || args.first() == QLatin1String("help")) {
        printUsage(out);
        return args.isEmpty() ? graft::cli::kExitFailure : graft::cli::kExitOk;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("version") || command == QLatin1String("--version")) {
        out << "graft-cli " << GRAFT_VERSION << "\n";
        return graft::cli::kExitOk;
    }
    if (command == QLatin1String("scan"))
        return graft::cli::runScan(args);
    if (command == QLatin1String("backbones"))
        return graft::cli::runBackbones(args);
    if (command == QLatin1String("train"))
        return graft::cli::runTrain(args);
    if (command == QLatin1String("lm"))
        return graft::cli::runLanguageModel(args);
    if (command == QLatin1String("eval"))
        return graft::cli::runEval(args);
    if (command == QLatin1String("predict"))
        return graft::cli::runPredict(args);
    if (command == QLatin1String("export"))
        return graft::cli::runExport(args);
    if (command == QLatin1String("runs"))
        return graft::cli::runRuns(args);
    if (command == QLatin1String("check-weights"))
        return graft::cli::runCheckWeights(args);

    QTextStream err(stderr);
    err << "graft-cli: unknown command '" << command << "'\n\n";
    printUsage(err);
    return graft::cli::kExitFailure;
}
