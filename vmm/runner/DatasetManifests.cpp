#include "DatasetManifests.h"

#include "dataset/ErofsImage.h"
#include "machine/Machine.h"

#include <nlohmann/json.hpp>

#include <pthread.h>
#include <sched.h>

namespace vmm {

void DatasetManifests::start(const Machine& machine, ReadyHandler onReady)
{
    m_outcomes.resize(machine.datasets().size());
    for (size_t index = 0; index < machine.datasets().size(); ++index) {
        const MachineDataset& dataset = machine.datasets()[index];
        m_outcomes[index].name = dataset.name;
        std::shared_ptr<const ScannedTree> tree = dataset.image->tree();
        m_threads.emplace_back([this, index, tree, onReady](std::stop_token stop) {
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
}

std::vector<DatasetManifests::Outcome> DatasetManifests::verifyAll()
{
    for (std::jthread& thread : m_threads)
        thread.join();
    m_threads.clear();
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
