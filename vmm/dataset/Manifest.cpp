#include "Manifest.h"

#include "TreeScanner.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace vmm {

namespace {

constexpr std::string_view kSerializationHeader = "airlock-dataset-manifest-v1\n";

void appendLittleEndian(std::vector<uint8_t>& bytes, uint64_t value)
{
    for (int shift = 0; shift < 64; shift += 8)
        bytes.push_back(static_cast<uint8_t>(value >> shift));
}

Sha256Digest digestOf(const std::vector<ManifestEntry>& entries)
{
    std::vector<uint8_t> serialized(kSerializationHeader.begin(), kSerializationHeader.end());
    for (const ManifestEntry& entry : entries) {
        appendLittleEndian(serialized, entry.path.size());
        serialized.insert(serialized.end(), entry.path.begin(), entry.path.end());
        appendLittleEndian(serialized, entry.size);
        serialized.insert(serialized.end(), entry.sha256.begin(), entry.sha256.end());
    }
    // SHA-256 only fails when OpenSSL is broken; an all-zero digest then matches nothing.
    return FileHasher::hashBytes(serialized.data(), serialized.size()).value_or(Sha256Digest {});
}

// Whether `text` can go into JSON as it is (valid UTF-8): nlohmann::json refuses anything else.
bool isValidUtf8(const std::string& text)
{
    try {
        (void)nlohmann::json(text).dump();
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

std::string bytesToHex(const uint8_t* bytes, size_t size)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(size * 2);
    for (size_t index = 0; index < size; ++index) {
        text += kDigits[bytes[index] >> 4];
        text += kDigits[bytes[index] & 0xf];
    }
    return text;
}

} // namespace

std::string toHex(const Sha256Digest& bytes)
{
    return bytesToHex(bytes.data(), bytes.size());
}

Manifest::Manifest(const ScannedTree& tree, std::vector<ManifestEntry> entries)
    : m_name(tree.name)
    , m_hostPath(tree.hostPath)
    , m_opener(tree.scannedByPath ? nullptr : tree.opener)
    , m_oneFileName(tree.oneFileName)
    , m_entries(std::move(entries))
    , m_digest(digestOf(m_entries))
{
}

Result<Manifest> Manifest::compute(const std::string& hostPath, std::stop_token stop)
{
    ScannedTree tree = VMM_TRY(TreeScanner::scan(hostPath));
    return compute(tree, std::move(stop));
}

Result<Manifest> Manifest::compute(const ScannedTree& tree, std::stop_token stop)
{
    if (!tree.opener)
        return failure(Error::invalid("manifest", "the dataset has no opener"));
    FileHasher hasher = VMM_TRY(FileHasher::create());
    std::vector<ManifestEntry> entries;
    entries.reserve(tree.fileCount);
    for (uint32_t index = 0; index < tree.entries.size(); ++index) {
        if (tree.entries[index].kind != EntryKind::RegularFile)
            continue;
        ManifestEntry entry;
        entry.path = tree.relativePath(index);
        auto opened = tree.opener->open(entry.path, O_RDONLY);
        if (!opened && opened.error().errnoValue() == ENOENT)
            continue; // gone since the scan: not part of the dataset any more
        if (!opened)
            return failure(opened.error().withContext("hashing \"" + entry.path + "\""));
        struct stat status { };
        if (::fstat(opened->get(), &status) != 0)
            return failure(Error::fromErrno("fstat", errno, entry.path));
        auto hashed = hasher.hash(opened->get(), stop);
        if (!hashed)
            return failure(hashed.error().withContext("hashing \"" + entry.path + "\""));
        entry.size = hashed->size;
        entry.sha256 = hashed->sha256;
        entry.mtimeSeconds = status.st_mtim.tv_sec;
        entry.mtimeNanoseconds = static_cast<uint32_t>(status.st_mtim.tv_nsec);
        entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(),
        [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
    return Manifest(tree, std::move(entries));
}

uint64_t Manifest::totalBytes() const
{
    uint64_t total = 0;
    for (const ManifestEntry& entry : m_entries)
        total += entry.size;
    return total;
}

std::string Manifest::digestHex() const
{
    return toHex(m_digest);
}

std::string Manifest::toJson() const
{
    using nlohmann::json;
    json files = json::array();
    for (const ManifestEntry& entry : m_entries) {
        json file = {{"path", entry.path}, {"size", entry.size},
            {"mtimeSeconds", entry.mtimeSeconds}, {"mtimeNanoseconds", entry.mtimeNanoseconds},
            {"sha256", toHex(entry.sha256)}};
        // A name that is not UTF-8 is shown with replacement characters; keep its exact bytes too.
        // Safety: reading a std::string's chars as bytes of the same size and count.
        if (!isValidUtf8(entry.path))
            file["pathHex"] =
                bytesToHex(reinterpret_cast<const uint8_t*>(entry.path.data()), entry.path.size());
        files.push_back(std::move(file));
    }
    json document = {{"format", "airlock-dataset-manifest"}, {"version", 1}, {"name", m_name},
        {"hostPath", m_hostPath}, {"algorithm", "sha256"}, {"digest", digestHex()},
        {"fileCount", m_entries.size()}, {"totalBytes", totalBytes()}, {"files", std::move(files)}};
    return document.dump(2, ' ', false, json::error_handler_t::replace);
}

Result<ManifestDifferences> Manifest::verify(std::stop_token stop) const
{
    if (!m_opener) {
        Manifest now = VMM_TRY(compute(m_hostPath, std::move(stop)));
        return compare(*this, now);
    }
    ScannedTree tree =
        VMM_TRY(TreeScanner::scan(DatasetSource {m_hostPath, m_opener, m_oneFileName}));
    Manifest now = VMM_TRY(compute(tree, std::move(stop)));
    return compare(*this, now);
}

ManifestDifferences Manifest::compare(const Manifest& before, const Manifest& after)
{
    ManifestDifferences differences;
    auto old = before.m_entries.begin();
    auto current = after.m_entries.begin();
    while (old != before.m_entries.end() || current != after.m_entries.end()) {
        if (current == after.m_entries.end() ||
            (old != before.m_entries.end() && old->path < current->path)) {
            differences.vanished.push_back((old++)->path);
        } else if (old == before.m_entries.end() || current->path < old->path) {
            differences.added.push_back((current++)->path);
        } else {
            if (old->size != current->size || old->sha256 != current->sha256)
                differences.changed.push_back(old->path);
            ++old;
            ++current;
        }
    }
    return differences;
}

} // namespace vmm
