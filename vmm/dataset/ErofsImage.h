#pragma once

#include "DatasetChange.h"
#include "ErofsBuilder.h"
#include "FdCache.h"
#include "FileOpener.h"
#include "ScannedTree.h"
#include "block/BlockBackend.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vmm {

/// What a dataset holds, for the user and the audit trail.
struct DatasetSummary {
    std::string name;
    uint64_t totalBytes = 0; // the regular files' sizes added up
    uint64_t fileCount = 0;
    uint64_t folderCount = 0; // not counting the root
    uint64_t symlinkCount = 0;
    uint64_t skippedCount = 0; // sockets, fifos, devices: left out
    std::vector<std::string> skippedExamples;
    uint64_t imageBytes = 0;
    uint64_t metadataBytes = 0; // the part of the image held in memory; file data follows it
};

/// A read-only disk whose bytes are an EROFS image of a host folder or file, synthesized on the
/// fly (DESIGN.md §Datasets): metadata built in memory at creation, file data read on demand
/// through O_RDONLY descriptors of the original files. Nothing is written anywhere, and creating
/// one reads no file data, so a 10 GiB dataset is ready as fast as a 10 KiB one.
class ErofsImage final : public BlockBackend {
public:
    /// The most file descriptors kept open at once while serving reads.
    static constexpr size_t kOpenFileLimit = 16;

    /// Scans `hostPath` (a folder, or one regular file) and lays out its image; fails naming the
    /// file or folder that cannot be read and what to do about it.
    static Result<std::unique_ptr<ErofsImage>> create(const std::string& hostPath);
    /// The same for a dataset opened through `source.opener` (the dataset broker's, for a dataset
    /// added to a running session): the scan and every file opened later go through it.
    static Result<std::unique_ptr<ErofsImage>> create(DatasetSource source);

    uint64_t sizeBytes() const override;
    bool isReadOnly() const override { return true; }
    /// Metadata from memory, file data by pread; a file that shrank, vanished or was replaced
    /// since the scan reads as zeros where its scanned bytes are missing, and is recorded.
    Result<void> read(uint64_t offset, std::span<uint8_t> destination) override;
    /// The same, with the buffers inside one file filled by one preadv.
    Result<void> readVectored(
        uint64_t offset, std::span<const std::span<uint8_t>> buffers) override;
    /// Always fails with EROFS.
    Result<void> write(uint64_t offset, std::span<const uint8_t> source) override;
    /// Nothing to flush.
    Result<void> flush() override { return {}; }

    /// Name, counts and sizes.
    const DatasetSummary& summary() const { return m_summary; }
    /// The files found changed while serving reads, each once; callable from any thread.
    std::vector<DatasetChange> changes() const;
    /// The scan the image was built from (shared, read-only: a Manifest can hash the same files on
    /// another thread while the image is served).
    std::shared_ptr<const ScannedTree> tree() const { return m_tree; }
    /// How many dataset files the image holds open now (at most kOpenFileLimit).
    size_t openFileCount() const { return m_fds.size(); }

private:
    ErofsImage(std::shared_ptr<const ScannedTree> tree, ErofsLayout layout);

    /// The most buffers one preadv fills (a virtio-blk request has fewer segments).
    static constexpr size_t kMaxVectors = 256;

    const FileExtent* fileExtentAt(uint64_t position) const;
    bool readFileVectored(const FileExtent& extent, uint64_t fileOffset,
        std::span<const std::span<uint8_t>> buffers, uint64_t totalBytes);
    Result<void> readFile(const FileExtent& extent, uint64_t fileOffset, std::span<uint8_t> out);
    // The file's descriptor, -1 when it is unusable (served as zeros), an error when the opener
    // itself failed.
    Result<int> fileDescriptor(uint32_t entry);
    void record(uint32_t entry, DatasetChange::Kind kind, std::string detail);

    std::shared_ptr<const ScannedTree> m_tree;
    ErofsLayout m_layout;
    DatasetSummary m_summary;
    FdCache m_fds;
    std::vector<bool> m_unusable; // per entry: vanished or replaced, served as zeros
    std::vector<bool> m_reported; // per entry: a change is recorded already
    mutable std::mutex m_changesMutex;
    std::vector<DatasetChange> m_changes;
};

} // namespace vmm
