#pragma once

// What the control channel's unit tests share: a fake machine (ControlTarget), a fake hybrid vsock
// socket that echoes (or refuses) streams, and a ControlServer running on its own loop thread.

#include "control/ControlServer.h"
#include "sys/EventLoop.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <poll.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>

/// A machine that records what it was asked.
class FakeTarget final : public vmm::ControlTarget {
public:
    vmm::ControlStatus status() override
    {
        vmm::ControlStatus status;
        status.vcpus = 2;
        status.memoryBytes = 256 << 20;
        status.datasets.push_back({"data set", "/srv/data", 3, 12, 8192});
        status.scratchBytes = 64 << 20;
        status.vsockPath = socketPath;
        return status;
    }
    vmm::HostMetrics metrics() override
    {
        vmm::HostMetrics metrics;
        metrics.vcpus = {{0, 1000}, {1, 2000}};
        metrics.disks.push_back({"scratch", 4096, 1, 512, 1, 1, 0});
        return metrics;
    }
    void pause() override { paused = true; }
    void resume() override { paused = false; }
    void stop(bool force, const std::string& why) override
    {
        std::lock_guard lock(mutex);
        stops.push_back({force, why});
    }
    size_t queueConsoleInput(std::span<const uint8_t> bytes) override
    {
        std::lock_guard lock(mutex);
        size_t take = std::min(bytes.size(), acceptPerCall);
        consoleInput.insert(
            consoleInput.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(take));
        return take;
    }
    std::string vsockPath() override { return socketPath; }
    std::string displaySocketPath() override { return displayPath; }
    void addDataset(const vmm::AddDatasetCommand& command, AddDatasetDone done) override
    {
        std::lock_guard lock(mutex);
        addCommands.push_back(command);
        pendingAdds.push_back(std::move(done));
    }
    /// The add-dataset commands received so far, with the callbacks that answer them.
    size_t addCount()
    {
        std::lock_guard lock(mutex);
        return addCommands.size();
    }

    struct Stop {
        bool force;
        std::string why;
    };
    std::vector<Stop> stopCalls()
    {
        std::lock_guard lock(mutex);
        return stops;
    }
    std::string receivedInput()
    {
        std::lock_guard lock(mutex);
        return std::string(consoleInput.begin(), consoleInput.end());
    }

    std::mutex mutex;
    std::atomic<bool> paused {false};
    std::vector<Stop> stops;
    std::vector<uint8_t> consoleInput;
    std::vector<vmm::AddDatasetCommand> addCommands;
    std::vector<AddDatasetDone> pendingAdds;
    size_t acceptPerCall = SIZE_MAX;
    std::string socketPath;
    std::string displayPath;
};

/// A hybrid vsock socket as VsockMuxer serves it: "CONNECT <port>\n" is answered "OK <n>\n" and
/// the stream then echoes; port 8 never reads, port 9 is refused (closed without an answer).
class FakeHybridVsock {
public:
    explicit FakeHybridVsock(std::string path)
        : m_path(std::move(path))
    {
        m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, m_path.c_str(), sizeof address.sun_path - 1);
        ::unlink(m_path.c_str());
        // Safety: sockaddr_un is a sockaddr by the sockets API's layout rules.
        ::bind(m_listener, reinterpret_cast<const sockaddr*>(&address), sizeof address);
        ::listen(m_listener, 16);
        m_thread = std::thread([this] { acceptLoop(); });
    }
    ~FakeHybridVsock()
    {
        m_stopping = true;
        ::shutdown(m_listener, SHUT_RDWR);
        m_thread.join();
        for (auto& worker : m_workers)
            worker.join();
        ::close(m_listener);
        ::unlink(m_path.c_str());
    }
    int connections() const { return m_connections.load(); }

private:
    void acceptLoop()
    {
        while (!m_stopping) {
            int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                return;
            ++m_connections;
            m_workers.emplace_back([fd] { serve(fd); });
        }
    }
    static void serve(int fd)
    {
        std::string line;
        char byte = 0;
        while (::read(fd, &byte, 1) == 1 && byte != '\n')
            line += byte;
        if (line == "CONNECT 8") {
            // A guest that accepts and never reads: only credit stops the app.
            const char ok[] = "OK 1073741825\n";
            [[maybe_unused]] ssize_t written = ::write(fd, ok, sizeof ok - 1);
            pollfd entry {fd, POLLRDHUP, 0};
            ::poll(&entry, 1, 10000);
        } else if (line != "CONNECT 9" && line.rfind("CONNECT ", 0) == 0) {
            const char ok[] = "OK 1073741824\n";
            [[maybe_unused]] ssize_t written = ::write(fd, ok, sizeof ok - 1);
            std::vector<char> buffer(64 * 1024);
            for (;;) {
                ssize_t got = ::read(fd, buffer.data(), buffer.size());
                if (got <= 0)
                    break;
                for (ssize_t done = 0; done < got;) {
                    ssize_t sent = ::send(
                        fd, buffer.data() + done, static_cast<size_t>(got - done), MSG_NOSIGNAL);
                    if (sent <= 0)
                        break;
                    done += sent;
                }
            }
            ::shutdown(fd, SHUT_WR);
        }
        ::close(fd);
    }

    std::string m_path;
    int m_listener = -1;
    std::atomic<bool> m_stopping {false};
    std::atomic<int> m_connections {0};
    std::thread m_thread;
    std::vector<std::thread> m_workers;
};

/// A ControlServer on its own event loop thread (ticking it every round), over one end of a
/// socketpair; the test holds the other end.
class ServerHarness {
public:
    ServerHarness(FakeTarget& target, vmm::ControlServerOptions options = {})
    {
        int pair[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair);
        appSide = pair[0];
        m_loop.emplace(std::move(*vmm::EventLoop::create()));
        server = std::move(
            *vmm::ControlServer::create(vmm::UniqueFd(pair[1]), target, std::move(options)));
        [[maybe_unused]] auto attached = server->attach(*m_loop);
        m_thread = std::thread([this] {
            while (!m_stopping) {
                [[maybe_unused]] auto ran = m_loop->runOnce(10);
                server->tick();
            }
        });
    }
    ~ServerHarness()
    {
        m_stopping = true;
        m_loop->post([] {});
        m_thread.join();
        server->detach();
        server.reset();
        if (appSide >= 0)
            ::close(appSide);
    }
    /// Hands the app's end to a client (which then owns it).
    int takeAppSide() { return std::exchange(appSide, -1); }

    std::unique_ptr<vmm::ControlServer> server;
    int appSide = -1;

private:
    std::optional<vmm::EventLoop> m_loop;
    std::atomic<bool> m_stopping {false};
    std::thread m_thread;
};
