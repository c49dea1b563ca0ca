#pragma once

#include <QStringList>

class QCPAxis;

namespace graft::ui {

/// Class names along a horizontal axis (class balance, confusion matrix): upright, and names
/// past 16 characters shortened with "...", when side by side they would not fit the plot's
/// width (ten Fashion-MNIST classes ran into one unreadable line). Call after setting the
/// axis' text ticker from `names`.
void fitClassAxis(QCPAxis *axis, const QStringList &names);

} // namespace graft::ui
