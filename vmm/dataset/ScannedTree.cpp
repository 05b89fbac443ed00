#include "ScannedTree.h"

#include <algorithm>

namespace vmm {

std::string ScannedTree::relativePath(uint32_t index) const
{
    std::vector<uint32_t> chain;
    while (index != 0 && index < entries.size()) {
        chain.push_back(index);
        index = entries[index].parent;
    }
    std::string path;
    std::for_each(chain.rbegin(), chain.rend(), [&](uint32_t link) {
        if (!path.empty())
            path += '/';
        path += entries[link].name;
    });
    return path;
}

} // namespace vmm
