#pragma once

#include <cstdint>
#include <optional>
#include <string>

/// The dataset benchmark's files, in a fresh folder removed on destruction:
/// - data/random.bin: `fileMiB` MiB of pseudo-random bytes (incompressible, never all zero);
/// - tools/run.sh and tools/dataset-reader: the guest's script and its timing program;
/// - data.erofs, tools.erofs: the same two folders as EROFS images made by mkfs.erofs, for QEMU;
/// - huge.img (10 GiB, sparse) and small.bin (10 KiB): single-file datasets for the mount timing.
class DatasetFixture {
public:
    /// Makes everything under a new folder in `parent`; nullopt (with the reason on stderr) on
    /// failure.
    static std::optional<DatasetFixture> create(const std::string& parent,
        const std::string& readerProgram, uint64_t fileMiB, uint64_t randomReads);

    DatasetFixture(DatasetFixture&& other) noexcept;
    DatasetFixture& operator=(DatasetFixture&&) = delete;
    DatasetFixture(const DatasetFixture&) = delete;
    DatasetFixture& operator=(const DatasetFixture&) = delete;
    ~DatasetFixture();

    /// The folder shown to the guest as /datasets/data.
    std::string dataFolder() const { return m_root + "/data"; }
    /// The folder shown to the guest as /datasets/tools (run it with `sh /datasets/tools/run.sh`).
    std::string toolsFolder() const { return m_root + "/tools"; }
    /// mkfs.erofs's image of dataFolder().
    std::string dataImage() const { return m_root + "/data.erofs"; }
    /// mkfs.erofs's image of toolsFolder().
    std::string toolsImage() const { return m_root + "/tools.erofs"; }
    /// A 10 GiB sparse file.
    std::string hugeFile() const { return m_root + "/huge.img"; }
    /// A 10 KiB file.
    std::string smallFile() const { return m_root + "/small.bin"; }

private:
    explicit DatasetFixture(std::string root)
        : m_root(std::move(root))
    {
    }

    std::string m_root; ///< empty once moved from
};
