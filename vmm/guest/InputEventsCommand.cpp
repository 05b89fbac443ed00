#include "InputEventsCommand.h"

#include "PrintableText.h"
#include "ToolOptions.h"
#include "ToolOutput.h"
#include "sys/UniqueFd.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <vector>

#include <linux/input.h>
#include <sys/ioctl.h>

namespace vmm::guest {

namespace {

constexpr std::string_view kTool = "input-events";
constexpr size_t kMaxNameBytes = 128;
constexpr size_t kEventsPerRead = 64;
constexpr size_t kReadsPerWakeup = 16;
using Clock = std::chrono::steady_clock;

struct Device {
    std::string node;
    UniqueFd fd;
};

bool hasBit(std::span<const uint8_t> bits, unsigned bit)
{
    return bit / 8 < bits.size() && (bits[bit / 8] & (1u << (bit % 8))) != 0;
}

std::optional<InputEventsCommand::AxisRange> axis(
    int fd, std::span<const uint8_t> absBits, unsigned code)
{
    input_absinfo info {};
    // Safety: EVIOCGABS fills exactly one input_absinfo.
    if (!hasBit(absBits, code) || ::ioctl(fd, EVIOCGABS(code), &info) < 0)
        return std::nullopt;
    return InputEventsCommand::AxisRange {info.minimum, info.maximum};
}

// Prints the device's line; the name and ranges come from the kernel's driver, bounded here.
void describe(const Device& device)
{
    std::array<char, 256> name {};
    // Safety: EVIOCGNAME(len) writes at most len bytes; one is kept back for the terminator.
    if (::ioctl(device.fd.get(), EVIOCGNAME(name.size() - 1), name.data()) < 0)
        name[0] = '\0';
    std::array<uint8_t, (EV_MAX + 8) / 8> eventBits {};
    std::array<uint8_t, (ABS_MAX + 8) / 8> absBits {};
    // Safety: EVIOCGBIT(type, len) writes at most len bytes of bitmap.
    if (::ioctl(device.fd.get(), EVIOCGBIT(0, eventBits.size()), eventBits.data()) < 0 ||
        !hasBit(eventBits, EV_ABS) ||
        ::ioctl(device.fd.get(), EVIOCGBIT(EV_ABS, absBits.size()), absBits.data()) < 0)
        absBits.fill(0);
    ToolOutput::line(InputEventsCommand::deviceLine(device.node, std::string_view(name.data()),
        axis(device.fd.get(), absBits, ABS_X), axis(device.fd.get(), absBits, ABS_Y)));
}

std::vector<Device> openDevices(const char* path)
{
    std::vector<std::pair<unsigned, std::string>> nodes;
    if (DIR* directory = ::opendir(path)) {
        while (dirent* entry = ::readdir(directory)) {
            if (auto number = InputEventsCommand::eventNumber(entry->d_name))
                nodes.emplace_back(*number, std::string(path) + "/" + entry->d_name);
        }
        ::closedir(directory);
    }
    std::sort(nodes.begin(), nodes.end());
    if (nodes.size() > InputEventsCommand::kMaxDevices)
        nodes.resize(InputEventsCommand::kMaxDevices);
    std::vector<Device> devices;
    for (auto& [number, node] : nodes) {
        Result<UniqueFd> fd = UniqueFd::open(node.c_str(), O_RDONLY | O_NONBLOCK);
        if (!fd) {
            ToolOutput::error(kTool, fd.error().message());
            continue;
        }
        devices.push_back(Device {std::move(node), std::move(*fd)});
    }
    return devices;
}

// Reads what `device` has, a bounded number of times so that a device flooding events cannot
// hold off the others or the timeout; prints each event; false when the device is gone.
bool drain(const Device& device, uint32_t& printed, uint32_t limit)
{
    std::array<input_event, kEventsPerRead> events;
    for (size_t reads = 0; reads < kReadsPerWakeup; ++reads) {
        ssize_t bytes = ::read(device.fd.get(), events.data(), sizeof events);
        if (bytes < 0)
            return errno == EAGAIN || errno == EINTR;
        if (bytes == 0)
            return false;
        size_t count = static_cast<size_t>(bytes) / sizeof(input_event);
        for (size_t index = 0; index < count; ++index) {
            const input_event& event = events[index];
            if (event.type == EV_SYN)
                continue;
            ToolOutput::line(
                InputEventsCommand::eventLine(device.node, event.type, event.code, event.value));
            if (++printed == limit)
                return true;
        }
    }
    return true;
}

} // namespace

Result<InputEventsCommand::Options> InputEventsCommand::parseOptions(
    std::span<const std::string_view> arguments)
{
    Options options;
    std::array known {
        ToolOptions::Option {"--count", kMaxCount, &options.count},
        ToolOptions::Option {"--timeout", kMaxTimeoutSeconds, &options.timeoutSeconds},
    };
    VMM_TRY(ToolOptions::parse(arguments, known));
    return options;
}

std::optional<unsigned> InputEventsCommand::eventNumber(std::string_view name)
{
    constexpr std::string_view prefix = "event";
    if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    std::string_view digits = name.substr(prefix.size());
    unsigned number = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (error != std::errc() || end != digits.data() + digits.size())
        return std::nullopt;
    return number;
}

std::string InputEventsCommand::deviceLine(std::string_view node, std::string_view name,
    std::optional<AxisRange> x, std::optional<AxisRange> y)
{
    std::string line = "input-device " + std::string(node) + " name=\"" +
        PrintableText::of(name, kMaxNameBytes) + "\"";
    if (x)
        line += " abs_x=" + std::to_string(x->minimum) + ".." + std::to_string(x->maximum);
    if (y)
        line += " abs_y=" + std::to_string(y->minimum) + ".." + std::to_string(y->maximum);
    return line;
}

std::string InputEventsCommand::eventLine(
    std::string_view node, uint16_t type, uint16_t code, int32_t value)
{
    return "input-event " + std::string(node) + " type=" + std::to_string(type) +
        " code=" + std::to_string(code) + " value=" + std::to_string(value);
}

int InputEventsCommand::run(int argc, char** argv)
{
    std::vector<std::string_view> arguments = ToolOptions::arguments(argc, argv);
    Result<Options> options = parseOptions(arguments);
    if (!options) {
        ToolOutput::error(kTool, options.error().message());
        ToolOutput::error(kTool, "usage: airlock-input-events [--count N] [--timeout S]");
        return 2;
    }
    return watch(kInputDirectory, *options);
}

int InputEventsCommand::watch(const char* directory, const Options& options)
{
    std::vector<Device> devices = openDevices(directory);
    if (devices.empty()) {
        ToolOutput::error(
            kTool, "no " + std::string(directory) + "/event*: this session has no input devices");
        return 1;
    }
    for (const Device& device : devices)
        describe(device);
    ToolOutput::line("input-ready");

    std::optional<Clock::time_point> deadline;
    if (options.timeoutSeconds > 0)
        deadline = Clock::now() + std::chrono::seconds(options.timeoutSeconds);
    uint32_t printed = 0;
    while (options.count == 0 || printed < options.count) {
        int waitMilliseconds = -1;
        if (deadline) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
            if (left.count() <= 0) {
                ToolOutput::error(
                    kTool, "timed out after " + std::to_string(options.timeoutSeconds) + " s");
                return 1;
            }
            waitMilliseconds = static_cast<int>(left.count());
        }
        std::vector<pollfd> polled;
        for (const Device& device : devices)
            polled.push_back(pollfd {device.fd.get(), POLLIN, 0});
        if (::poll(polled.data(), polled.size(), waitMilliseconds) < 0 && errno != EINTR) {
            ToolOutput::error(kTool, Error::fromErrno("poll", errno).message());
            return 1;
        }
        for (size_t index = devices.size(); index-- > 0;) {
            if (polled[index].revents == 0)
                continue;
            if (!drain(devices[index], printed, options.count)) {
                ToolOutput::error(kTool, devices[index].node + " went away");
                devices.erase(devices.begin() + static_cast<ptrdiff_t>(index));
            } else if (options.count != 0 && printed >= options.count) {
                return 0;
            }
        }
        if (devices.empty()) {
            ToolOutput::error(kTool, "no input device left");
            return 1;
        }
    }
    return 0;
}

} // namespace vmm::guest
