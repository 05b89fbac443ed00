#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vmm::guest {

class Framebuffer;

/// airlock-fb-animate [--seconds N] [--hold N]: redraws the whole of /dev/fb0 with
/// display/TestPattern.h's animationPixel as fast as it can for N seconds (default 10), prints
/// "fb-animate: F frames in S s (X fps)", then keeps the last frame still, the console in
/// graphics mode, for --hold seconds (default 0), so that the screen is truly idle.
class FbAnimateCommand {
public:
    /// The name it is called by (a link to /init).
    static constexpr std::string_view kName = "airlock-fb-animate";
    /// The longest animation or hold accepted, in seconds (a day).
    static constexpr uint32_t kMaxSeconds = 24 * 60 * 60;

    struct Options {
        uint32_t seconds = 10;
        uint32_t holdSeconds = 0;
    };

    /// Parses the words after the program name.
    static Result<Options> parseOptions(std::span<const std::string_view> arguments);
    /// Runs it; returns the exit status as FbPatternCommand::run does.
    static int run(int argc, char** argv);
    /// Draws frame `frame` over the whole visible screen of `framebuffer`.
    static void drawFrame(Framebuffer& framebuffer, uint32_t frame);
    /// "fb-animate: 1200 frames in 10.0 s (120.0 fps)".
    static std::string summary(uint64_t frames, double seconds);
};

} // namespace vmm::guest
