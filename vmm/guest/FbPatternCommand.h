#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace vmm::guest {

class Framebuffer;

/// airlock-fb-pattern [--hold SECONDS]: draws the test pattern (display/TestPattern.h) on
/// /dev/fb0 with the console in graphics mode, prints "fb-pattern: drew WxH", keeps the picture
/// on screen for SECONDS (default 0), then gives the console back and exits 0.
class FbPatternCommand {
public:
    /// The name it is called by (a link to /init).
    static constexpr std::string_view kName = "airlock-fb-pattern";
    /// The longest hold accepted, in seconds (a day).
    static constexpr uint32_t kMaxHoldSeconds = 24 * 60 * 60;

    struct Options {
        uint32_t holdSeconds = 0;
    };

    /// Parses the words after the program name.
    static Result<Options> parseOptions(std::span<const std::string_view> arguments);
    /// Runs it; returns the exit status (2 for a usage error, 1 when there is no display, 128 +
    /// the signal when stopped by SIGINT, SIGTERM or SIGHUP during the hold).
    static int run(int argc, char** argv);
    /// Draws the test pattern over the whole visible screen of `framebuffer`.
    static void draw(Framebuffer& framebuffer);
};

} // namespace vmm::guest
