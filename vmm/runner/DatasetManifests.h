#pragma once

#include "dataset/Manifest.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vmm {

class Machine;
struct MachineDataset;

/// The SHA-256 manifests of a session's datasets (DESIGN.md §Datasets): computed on background
/// threads once the session runs (so mounting never waits for hashing), reported as each is
/// ready, and checked again when the session ends so that a file that changed or vanished
/// meanwhile is reported, not hidden.
class DatasetManifests {
public:
    struct Outcome {
        std::string name;
        std::optional<Manifest> manifest; ///< empty when hashing failed
        std::string error;
        std::optional<ManifestDifferences> differences; ///< set by verifyAll()
    };
    /// Called on a background thread when a dataset's manifest is ready (or failed).
    using ReadyHandler = std::function<void(const Outcome&)>;

    /// Starts hashing every dataset of `machine`.
    void start(const Machine& machine, ReadyHandler onReady);
    /// Starts hashing `dataset`, added while the session runs, like the others (the handler
    /// given to start()); any thread, after start() and before verifyAll().
    void add(const MachineDataset& dataset);
    /// Waits for the hashing, re-hashes every dataset and returns what changed, one per dataset.
    std::vector<Outcome> verifyAll();
    /// The outcomes as JSON: [{name, digest, fileCount, totalBytes, manifest, atEnd: {changed,
    /// vanished, added}}].
    static std::string toJson(const std::vector<Outcome>& outcomes);

private:
    /// Hashes dataset `index` (its outcome exists) on a thread of its own. With m_mutex held.
    void startHashing(size_t index, std::shared_ptr<const ScannedTree> tree);

    std::mutex m_mutex; // the three below
    ReadyHandler m_onReady;
    std::vector<Outcome> m_outcomes;
    std::vector<std::jthread> m_threads;
};

} // namespace vmm
