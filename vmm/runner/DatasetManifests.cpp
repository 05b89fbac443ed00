#include "DatasetManifests.h"

#include "dataset/ErofsImage.h"
#include "machine/Machine.h"

#include <nlohmann/json.hpp>

#include <pthread.h>
#include <sched.h>

namespace vmm {

void DatasetManifests::start(const Machine& machine, ReadyHandler onReady)
{
    std::lock_guard lock(m_mutex);
    m_onReady = std::move(onReady);
    for (const MachineDataset& dataset : machine.datasets()) {
        m_outcomes.push_back(Outcome {dataset.name, {}, {}, {}});
        startHashing(m_outcomes.size() - 1, dataset.image->tree());
    }
}

void DatasetManifests::add(const MachineDataset& dataset)
{
    std::lock_guard lock(m_mutex);
    m_outcomes.push_back(Outcome {dataset.name, {}, {}, {}});
    startHashing(m_outcomes.size() - 1, dataset.image->tree());
}

void DatasetManifests::startHashing(size_t index, std::shared_ptr<const ScannedTree> tree)
{
    m_threads.emplace_back([this, index, tree, onReady = m_onReady](std::stop_token stop) {
        // Hashing runs only when a CPU would otherwise idle: the guest's vCPUs and devices
        // come first, so a 10 GiB dataset boots and mounts as fast as a 10 KiB one.
        sched_param idle {};
        ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &idle);
        auto manifest = Manifest::compute(*tree, stop);
        Outcome copy;
        {
            std::lock_guard lock(m_mutex);
            Outcome& outcome = m_outcomes[index];
            if (manifest)
                outcome.manifest = std::move(*manifest);
            else
                outcome.error = manifest.error().message();
            copy = outcome;
        }
        if (onReady)
            onReady(copy);
    });
}

std::vector<DatasetManifests::Outcome> DatasetManifests::verifyAll()
{
    std::vector<std::jthread> threads;
    {
        std::lock_guard lock(m_mutex);
        threads.swap(m_threads); // joined without the lock: each takes it once it is done
    }
    for (std::jthread& thread : threads)
        thread.join();
    std::lock_guard lock(m_mutex);
    for (Outcome& outcome : m_outcomes) {
        if (!outcome.manifest)
            continue;
        auto differences = outcome.manifest->verify();
        if (differences)
            outcome.differences = std::move(*differences);
        else
            outcome.error = "checking again at the end: " + differences.error().message();
    }
    return m_outcomes;
}

std::string DatasetManifests::toJson(const std::vector<Outcome>& outcomes)
{
    nlohmann::json list = nlohmann::json::array();
    for (const Outcome& outcome : outcomes) {
        nlohmann::json entry { { "name", outcome.name } };
        if (outcome.manifest) {
            entry["digest"] = outcome.manifest->digestHex();
            entry["fileCount"] = outcome.manifest->entries().size();
            entry["totalBytes"] = outcome.manifest->totalBytes();
            entry["manifest"] = nlohmann::json::parse(outcome.manifest->toJson(), nullptr, false);
        }
        if (!outcome.error.empty())
            entry["error"] = outcome.error;
        if (outcome.differences)
            entry["atEnd"] = { { "changed", outcome.differences->changed },
                { "vanished", outcome.differences->vanished }, { "added", outcome.differences->added } };
        list.push_back(std::move(entry));
    }
    return list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace vmm
