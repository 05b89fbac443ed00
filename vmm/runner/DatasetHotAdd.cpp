#include "DatasetHotAdd.h"

#include "broker/DatasetBroker.h"
#include "dataset/ErofsImage.h"
#include "machine/GuestParameters.h"
#include "protocol/AgentClient.h"
#include "protocol/AgentProtocol.h"

#include <sys/socket.h>

namespace vmm {

namespace {

// What the user reads in the app: the step that failed, then why.
Error because(std::string_view what, const Error& error)
{
    return Error::invalid("add dataset", std::string(what) + ": " + error.message());
}

} // namespace

DatasetHotAdd::DatasetHotAdd(Machine& machine, DatasetBroker* broker, AttachedHandler onAttached)
    : m_machine(machine)
    , m_broker(broker)
    , m_onAttached(std::move(onAttached))
{
    for (const MachineDataset& dataset : machine.datasets())
        m_names.insert(dataset.name);
}

ControlReply DatasetHotAdd::run(const AddDatasetCommand& command, Clock::time_point received)
{
    Result<DatasetAdded> added = add(command, received);
    if (!added)
        return ControlReply::failed(command.id, added.error().detail());
    ControlReply reply;
    reply.id = command.id;
    reply.dataset = std::move(*added);
    return reply;
}

void DatasetHotAdd::cancel()
{
    std::lock_guard lock(m_agentMutex);
    m_cancelled = true;
    if (m_agentFd >= 0)
        ::shutdown(m_agentFd, SHUT_RDWR); // the guest is gone: do not wait for its answer
}

Result<DatasetAdded> DatasetHotAdd::add(
    const AddDatasetCommand& command, Clock::time_point received)
{
    const std::string& name = command.name;
    auto refuse = [](std::string message) {
        return failure(Error::invalid("add dataset", std::move(message)));
    };
    if (!m_broker)
        return refuse("this session cannot take datasets while it runs (airlock-vmm was started "
                      "without AIRLOCK_DATASET_GRANT_KEY); start a new session with them");
    if (auto valid = validateDatasetName(name); !valid)
        return refuse(valid.error().detail());
    if (m_names.count(name))
        return refuse(
            "the session has a dataset named '" + name + "' already; give this one another name");
    if (m_machine.spareDisksLeft() == 0)
        return refuse("this session can take no more datasets; start a new session with them");
    if (m_machine.vsockPath().empty())
        return refuse("the guest agent cannot be reached (no vsock device)");

    // The agent first: without it nothing can be mounted, and no spare disk is spent.
    auto connected = AgentClient::connectHybridVsock(m_machine.vsockPath(), kAgentPort);
    if (!connected)
        return failure(because("the guest agent is not ready", connected.error()));
    UniqueFd fd = std::move(*connected);
    {
        std::lock_guard lock(m_agentMutex);
        if (m_cancelled)
            return refuse("the session is stopping");
        m_agentFd = fd.get();
    }
    struct ForgetAgentFd {
        DatasetHotAdd& self;
        ~ForgetAgentFd()
        {
            std::lock_guard lock(self.m_agentMutex);
            self.m_agentFd = -1;
        }
    } forgetAgentFd {*this};
    auto client = AgentClient::create(std::move(fd), kStepTimeout);
    if (!client)
        return failure(because("the guest agent is not ready", client.error()));

    // The broker opens it (the VMM itself may not): only with the app's grant for this name
    // and path.
    auto mac = parseGrantMac(command.grant);
    if (!mac)
        return failure(because("the grant is malformed", mac.error()));
    auto source = m_broker->grant(name, command.path, *mac);
    if (!source) // the broker's message names the path and why (a wrong grant, unreadable, gone)
        return failure(Error::invalid("add dataset", source.error().message()));
    auto image = ErofsImage::create(std::move(*source));
    if (!image)
        return failure(because("cannot read '" + command.path + "'", image.error()));
    std::shared_ptr<ErofsImage> shared = std::move(*image);

    {
        std::lock_guard lock(m_agentMutex);
        if (m_cancelled)
            return refuse("the session is stopping");
    }
    MachineDataset dataset {name, command.path, shared};
    size_t index = VMM_TRY(m_machine.attachDataset(dataset, kStepTimeout));
    m_names.insert(name);
    // The guest can read the disk from here on: it is hashed and reported whatever follows.
    if (m_onAttached)
        m_onAttached(dataset);

    auto mounted = client->mountDataset({index, name}, kStepTimeout);
    if (!mounted)
        return failure(because("the guest could not mount dataset '" + name +
                "' (its disk airlock-ds" + std::to_string(index) + " stays attached)",
            mounted.error()));

    const DatasetSummary& summary = shared->summary();
    DatasetAdded added;
    added.name = name;
    added.fileCount = summary.fileCount;
    added.folderCount = summary.folderCount;
    added.totalBytes = summary.totalBytes;
    added.imageBytes = summary.imageBytes;
    added.mountMs = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - received).count());
    return added;
}

} // namespace vmm
