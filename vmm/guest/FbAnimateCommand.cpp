#include "FbAnimateCommand.h"

#include "Framebuffer.h"
#include "GraphicsMode.h"
#include "StopSignals.h"
#include "ToolOptions.h"
#include "ToolOutput.h"
#include "display/TestPattern.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

namespace vmm::guest {

namespace {
constexpr std::string_view kTool = "fb-animate";
using Clock = std::chrono::steady_clock;
} // namespace

Result<FbAnimateCommand::Options> FbAnimateCommand::parseOptions(
    std::span<const std::string_view> arguments)
{
    Options options;
    std::array known {
        ToolOptions::Option {"--seconds", kMaxSeconds, &options.seconds},
        ToolOptions::Option {"--hold", kMaxSeconds, &options.holdSeconds},
    };
    VMM_TRY(ToolOptions::parse(arguments, known));
    return options;
}

void FbAnimateCommand::drawFrame(Framebuffer& framebuffer, uint32_t frame)
{
    const FramebufferLayout& layout = framebuffer.layout();
    // A row is composed in ordinary memory and copied once: framebuffer memory may be uncached
    // or write-combined, where many small writes cost more than one large copy.
    std::vector<uint32_t> row(layout.width);
    for (uint32_t y = 0; y < layout.height; ++y) {
        for (uint32_t x = 0; x < layout.width; ++x)
            row[x] = animationPixel(x, y, frame);
        framebuffer.writeRow(y, row);
    }
}

std::string FbAnimateCommand::summary(uint64_t frames, double seconds)
{
    double rate = seconds > 0 ? static_cast<double>(frames) / seconds : 0.0;
    char text[128];
    std::snprintf(text, sizeof text, "%s: %llu frames in %.1f s (%.1f fps)", kTool.data(),
        static_cast<unsigned long long>(frames), seconds, rate);
    return text;
}

int FbAnimateCommand::run(int argc, char** argv)
{
    std::vector<std::string_view> arguments = ToolOptions::arguments(argc, argv);
    Result<Options> options = parseOptions(arguments);
    if (!options) {
        ToolOutput::error(kTool, options.error().message());
        ToolOutput::error(kTool, "usage: airlock-fb-animate [--seconds N] [--hold N]");
        return 2;
    }
    StopSignals signals = StopSignals::block();
    Result<Framebuffer> framebuffer = Framebuffer::open();
    if (!framebuffer) {
        ToolOutput::error(kTool, framebuffer.error().message());
        return 1;
    }
    Result<GraphicsMode> graphics = GraphicsMode::enter();
    if (!graphics)
        ToolOutput::error(
            kTool, graphics.error().message() + "; the text console may draw over the animation");

    Clock::time_point start = Clock::now();
    Clock::time_point deadline = start + std::chrono::seconds(options->seconds);
    uint64_t frames = 0;
    std::optional<int> stoppedBy;
    do {
        drawFrame(*framebuffer, static_cast<uint32_t>(frames));
        ++frames;
        stoppedBy = signals.pending();
    } while (!stoppedBy && Clock::now() < deadline);
    std::chrono::duration<double> elapsed = Clock::now() - start;
    ToolOutput::line(summary(frames, elapsed.count()));
    if (stoppedBy)
        return 128 + *stoppedBy;
    if (auto signal = signals.sleep(std::chrono::seconds(options->holdSeconds)))
        return 128 + *signal;
    return 0;
}

} // namespace vmm::guest
