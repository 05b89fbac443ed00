#include "FbPatternCommand.h"

#include "Framebuffer.h"
#include "GraphicsMode.h"
#include "StopSignals.h"
#include "ToolOptions.h"
#include "ToolOutput.h"
#include "display/TestPattern.h"

#include <array>
#include <string>
#include <vector>

namespace vmm::guest {

namespace {
constexpr std::string_view kTool = "fb-pattern";
} // namespace

Result<FbPatternCommand::Options> FbPatternCommand::parseOptions(
    std::span<const std::string_view> arguments)
{
    Options options;
    std::array known {ToolOptions::Option {"--hold", kMaxHoldSeconds, &options.holdSeconds}};
    VMM_TRY(ToolOptions::parse(arguments, known));
    return options;
}

void FbPatternCommand::draw(Framebuffer& framebuffer)
{
    const FramebufferLayout& layout = framebuffer.layout();
    std::vector<uint32_t> row(layout.width);
    for (uint32_t y = 0; y < layout.height; ++y) {
        for (uint32_t x = 0; x < layout.width; ++x)
            row[x] = testPatternPixel(x, y, layout.width, layout.height);
        framebuffer.writeRow(y, row);
    }
}

int FbPatternCommand::run(int argc, char** argv)
{
    std::vector<std::string_view> arguments = ToolOptions::arguments(argc, argv);
    Result<Options> options = parseOptions(arguments);
    if (!options) {
        ToolOutput::error(kTool, options.error().message());
        ToolOutput::error(kTool, "usage: airlock-fb-pattern [--hold SECONDS]");
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
            kTool, graphics.error().message() + "; the text console may draw over the pattern");
    draw(*framebuffer);
    const FramebufferLayout& layout = framebuffer->layout();
    ToolOutput::line(std::string(kTool) + ": drew " + std::to_string(layout.width) + "x" +
        std::to_string(layout.height));
    if (auto signal = signals.sleep(std::chrono::seconds(options->holdSeconds)))
        return 128 + *signal;
    return 0;
}

} // namespace vmm::guest
