#pragma once

class QApplication;

namespace graft::ui {

/// Registers the resources compiled into graft_ui (icons, translations, the embedded docs).
/// Idempotent; the main window and the guide call it, so tests need not.
void ensureResources();

/// Sets application metadata, installs translators for the configured language and shows the
/// main window; returns the event loop's exit code.
int runApplication(QApplication &app);

} // namespace graft::ui
