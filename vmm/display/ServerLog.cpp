#include "ServerLog.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <rfb/rfb.h>

namespace vmm {

namespace {

constexpr int kLinesPerSecond = 5;

// Messages libvncserver prints as errors for every Unix-socket viewer (it assumes TCP).
constexpr const char* kExpectedNoise[] = {"TCP_NODELAY", "getnameinfo"};

std::atomic<long> s_second {0};
std::atomic<int> s_linesThisSecond {0};

bool mayLog()
{
    timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    long second = static_cast<long>(now.tv_sec);
    if (s_second.exchange(second) != second)
        s_linesThisSecond = 0;
    return s_linesThisSecond.fetch_add(1) < kLinesPerSecond;
}

void writeLine(const char* text)
{
    size_t length = std::strlen(text);
    while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r'))
        --length;
    std::fprintf(stderr, "airlock-vmm: display: %.*s\n", static_cast<int>(length), text);
}

void ignoreLog(const char*, ...)
{
}

void errorLog(const char* format, ...)
{
    char line[512];
    va_list arguments;
    va_start(arguments, format);
    std::vsnprintf(line, sizeof line, format, arguments);
    va_end(arguments);
    for (const char* noise : kExpectedNoise) {
        if (std::strstr(line, noise) != nullptr)
            return;
    }
    if (mayLog())
        writeLine(line);
}

} // namespace

void installServerLog()
{
    rfbLog = &ignoreLog;
    rfbErr = &errorLog;
}

void serverLogError(const std::string& message)
{
    if (mayLog())
        writeLine(message.c_str());
}

void serverLogError(const char* operation, int errnoValue)
{
    serverLogError(std::string(operation) + ": " + std::strerror(errnoValue));
}

} // namespace vmm
