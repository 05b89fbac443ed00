#pragma once

#include "AppResult.h"

#include <QStringList>

class QMimeData;

namespace app {

/// Turns what was dropped on a window into the local paths of folders and files.
class DropParser {
public:
    /// Whether `data` may be a drop of files: it holds URLs or text. Text is accepted here only
    /// so that dropping it can be answered with a message saying why it cannot be used.
    static bool mayHoldFiles(const QMimeData* data);

    /// The local paths of a drop. All or nothing: a web address, another scheme, a file URL on
    /// another host, or text without URLs fails with a message that names what was dropped.
    static Result<QStringList> localPaths(const QMimeData* data);
};

} // namespace app
