#pragma once

class QApplication;

namespace graft::ui {

/// Sets application metadata, installs translators for the configured language and shows the
/// main window; returns the event loop's exit code.
int runApplication(QApplication &app);

} // namespace graft::ui
