#pragma once

#include <string>

namespace vmm {

/// A file that was no longer what the dataset scan saw when the guest read it. The guest got
/// zeros for any part that could not be read as scanned; the change is reported, not hidden.
struct DatasetChange {
    enum class Kind {
        Changed, // same file, other size or mtime
        Vanished, // removed or renamed
        Replaced, // another file (or not a file) under the same name
        Unreadable, // could not be opened any more (permissions)
    };
    std::string path; // relative to the dataset root
    Kind kind = Kind::Changed;
    std::string detail;
};

/// A word for `kind` ("changed", "vanished", ...), for logs and JSON.
inline const char* toString(DatasetChange::Kind kind)
{
    switch (kind) {
    case DatasetChange::Kind::Changed:
        return "changed";
    case DatasetChange::Kind::Vanished:
        return "vanished";
    case DatasetChange::Kind::Replaced:
        return "replaced";
    case DatasetChange::Kind::Unreadable:
        return "unreadable";
    }
    return "changed";
}

} // namespace vmm
