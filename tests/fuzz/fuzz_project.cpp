// libFuzzer target for the project-file reader (.graft JSON): any bytes give a project or an
// error; a project that loads survives a save/load round trip of its JSON.
#include "ui/project/Project.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using graft::ui::Project;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto project = Project::fromBytes(bytes, QStringLiteral("fuzz.graft"));
    if (!project.ok())
        return 0;
    const QByteArray again = QJsonDocument(project->toJson()).toJson();
    const auto reloaded = Project::fromBytes(again, QStringLiteral("again.graft"));
    if (!reloaded.ok() || QJsonDocument(reloaded->toJson()).toJson() != again)
        __builtin_trap();
    return 0;
}
