#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vmm::guest {

/// airlock-input-events [--count N] [--timeout S]: opens every /dev/input/event*, prints a line
/// per device, then "input-ready", then a line per input event other than EV_SYN, until N events
/// (exit 0) or S seconds (exit 1, "input-events: timed out after S s"); 0 means no limit, the
/// default for both. Each line is written at once, for a host that reads the console.
class InputEventsCommand {
public:
    /// The name it is called by (a link to /init).
    static constexpr std::string_view kName = "airlock-input-events";
    /// The directory scanned for event nodes.
    static constexpr const char* kInputDirectory = "/dev/input";
    /// The most event devices opened.
    static constexpr size_t kMaxDevices = 32;
    static constexpr uint32_t kMaxCount = 1'000'000;
    static constexpr uint32_t kMaxTimeoutSeconds = 24 * 60 * 60;

    struct Options {
        uint32_t count = 0;
        uint32_t timeoutSeconds = 0;
    };
    /// An absolute axis' range (EVIOCGABS).
    struct AxisRange {
        int32_t minimum = 0;
        int32_t maximum = 0;
    };

    /// Parses the words after the program name.
    static Result<Options> parseOptions(std::span<const std::string_view> arguments);
    /// Runs it; returns the exit status (2 for a usage error, 1 without devices or on timeout).
    static int run(int argc, char** argv);
    /// Does the work with parsed options on the event nodes in `directory`; returns the exit
    /// status.
    static int watch(const char* directory, const Options& options);

    /// `input-device /dev/input/event0 name="Airlock tablet" abs_x=0..1279 abs_y=0..799`, the
    /// name made printable and bounded, each axis only when the device has it.
    static std::string deviceLine(std::string_view node, std::string_view name,
        std::optional<AxisRange> x, std::optional<AxisRange> y);
    /// `input-event /dev/input/event0 type=1 code=30 value=1`.
    static std::string eventLine(
        std::string_view node, uint16_t type, uint16_t code, int32_t value);
    /// Whether `name` is an event node's name ("event" and decimal digits); its number if so.
    static std::optional<unsigned> eventNumber(std::string_view name);
};

} // namespace vmm::guest
