#pragma once

#include <QString>

namespace ui {

/// Human units for byte rates (1024-based, as file managers show sizes).
namespace ByteRate {

/// "0 B/s", "512 B/s", "1.5 KiB/s", "20 MiB/s", "3.2 GiB/s".
QString format(double bytesPerSecond);

/// The 1024-power unit (1, 1024, 1024², ...) that suits a value.
double unitFor(double bytesPerSecond);

} // namespace ByteRate

} // namespace ui
