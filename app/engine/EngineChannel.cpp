#include "EngineChannel.h"

#include <fcntl.h>

#include <sys/socket.h>

using namespace std::chrono_literals;

namespace app {

namespace {
// How often the pump looks at its stop flag while no event comes.
constexpr std::chrono::milliseconds kPollInterval = 100ms;
} // namespace

EngineChannel::EngineChannel(
    vmm::UniqueFd socket, Callbacks callbacks, std::chrono::milliseconds helloTimeout)
    : m_callbacks(std::move(callbacks))
    , m_helloTimeout(helloTimeout)
    , m_abortHandle(::fcntl(socket.get(), F_DUPFD_CLOEXEC, 0))
{
    m_thread = std::thread([this, owned = std::move(socket)]() mutable { run(std::move(owned)); });
}

EngineChannel::~EngineChannel()
{
    m_stopping.store(true);
    abort();
    if (m_thread.joinable())
        m_thread.join();
}

void EngineChannel::abort()
{
    if (m_abortHandle.isValid())
        ::shutdown(m_abortHandle.get(), SHUT_RDWR);
}

void EngineChannel::run(vmm::UniqueFd socket)
{
    auto created = vmm::ControlClient::create(std::move(socket), m_helloTimeout);
    if (!created) {
        if (!m_stopping.load())
            m_callbacks.closed(created.error().message());
        return;
    }
    std::shared_ptr<vmm::ControlClient> client = std::move(*created);
    m_callbacks.connected(client);
    for (;;) {
        auto event = client->nextEvent(kPollInterval);
        if (m_stopping.load()) {
            abort();
            return; // the owner is going away: nobody to tell
        }
        if (!event) {
            m_callbacks.closed(event.error().message());
            return;
        }
        if (*event)
            m_callbacks.event(std::move(**event));
    }
}

} // namespace app
