#pragma once

#include "FileHasher.h"
#include "ScannedTree.h"
#include "sys/Result.h"

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace vmm {

/// One regular file of a dataset as it was hashed.
struct ManifestEntry {
    std::string path; // relative to the dataset root, '/'-separated
    uint64_t size = 0; // bytes hashed
    int64_t mtimeSeconds = 0;
    uint32_t mtimeNanoseconds = 0;
    Sha256Digest sha256 {};
};

/// What differs between two manifests of the same dataset (paths, sorted).
struct ManifestDifferences {
    std::vector<std::string> changed; // other content or size
    std::vector<std::string> vanished; // in the first only
    std::vector<std::string> added; // in the second only

    bool isEmpty() const { return changed.empty() && vanished.empty() && added.empty(); }
};

/// The SHA-256 of every regular file of a dataset, for the audit trail (DESIGN.md §Datasets):
/// computed from O_RDONLY descriptors opened beneath the dataset without following symlinks,
/// streamed through a bounded buffer, safe to compute on a background thread while the dataset's
/// image is already being served. The digest covers paths, sizes and contents (not mtimes), in
/// path order, so it is the same for the same files however the host lists its folders.
class Manifest {
public:
    /// Scans `hostPath` (folder or file) and hashes every regular file in it.
    static Result<Manifest> compute(const std::string& hostPath, std::stop_token stop = {});
    /// Hashes the regular files of an existing scan (such as the one an ErofsImage serves), each
    /// opened through the scan's opener.
    static Result<Manifest> compute(const ScannedTree& tree, std::stop_token stop = {});

    /// The dataset's name and host path.
    const std::string& name() const { return m_name; }
    const std::string& hostPath() const { return m_hostPath; }
    /// The files, sorted by path bytes.
    const std::vector<ManifestEntry>& entries() const { return m_entries; }
    /// The regular files' sizes added up.
    uint64_t totalBytes() const;
    /// SHA-256 over the canonical serialization: "airlock-dataset-manifest-v1\n", then per file in
    /// path order: path length (u64 little-endian), path bytes, size (u64 LE), its 32-byte SHA-256.
    const Sha256Digest& digest() const { return m_digest; }
    /// The digest in lowercase hex.
    std::string digestHex() const;
    /// The manifest as JSON text for the audit trail.
    std::string toJson() const;

    /// Hashes the dataset again and says what changed, vanished or was added since: by its path
    /// for a dataset scanned by path, through the same opener for one scanned through an opener.
    Result<ManifestDifferences> verify(std::stop_token stop = {}) const;
    /// What differs from `before` to `after`.
    static ManifestDifferences compare(const Manifest& before, const Manifest& after);

private:
    Manifest(const ScannedTree& tree, std::vector<ManifestEntry> entries);

    std::string m_name;
    std::string m_hostPath;
    std::shared_ptr<FileOpener> m_opener; // null: re-scanned by path
    std::string m_oneFileName;
    std::vector<ManifestEntry> m_entries;
    Sha256Digest m_digest {};
};

/// `bytes` in lowercase hex.
std::string toHex(const Sha256Digest& bytes);

} // namespace vmm
