#include "DatasetSource.h"

namespace app {

QStringList datasetNames(const QList<DatasetSource>& sources)
{
    QStringList names;
    names.reserve(sources.size());
    for (const DatasetSource& source : sources)
        names.append(source.name);
    return names;
}

} // namespace app
