#include "I8042.h"

namespace vmm {

namespace {

// Controller commands (Linux drivers/input/serio/i8042.h spells them I8042_CMD_CTL_*).
constexpr uint8_t kCommandReadCommandByte = 0x20; // I8042_CMD_CTL_RCTR
constexpr uint8_t kCommandWriteCommandByte = 0x60; // I8042_CMD_CTL_WCTR
constexpr uint8_t kCommandSelfTest = 0xaa; // I8042_CMD_CTL_TEST
constexpr uint8_t kCommandPulseReset = 0xfe; // pulse output line 0 (CPU reset) low

constexpr uint8_t kSelfTestPassed = 0x55; // I8042_RET_CTL_TEST

constexpr uint8_t kStatusOutputBufferFull = 0x01; // I8042_STR_OBF
// I8042_STR_IBF (0x02) is never set: the controller takes each byte at once.

// The command byte as firmware leaves it: system flag and scancode translation set, no
// interrupts (there is no keyboard to interrupt for).
constexpr uint8_t kCommandByteSystemFlag = 0x04; // I8042_CTR_SYSFLAG
constexpr uint8_t kCommandByteTranslate = 0x40; // I8042_CTR_XLATE
constexpr uint8_t kInitialCommandByte = kCommandByteSystemFlag | kCommandByteTranslate;

} // namespace

I8042::I8042(std::function<void()> onResetRequest)
    : m_onResetRequest(std::move(onResetRequest))
    , m_commandByte(kInitialCommandByte)
{
}

void I8042::read(uint64_t offset, std::span<uint8_t> data)
{
    if (data.size() != 1)
        return; // the bus already zero-filled `data`
    std::lock_guard lock(m_mutex);
    switch (offset) {
    case kDataRegister:
        data[0] = m_outputBuffer.value_or(0);
        m_outputBuffer.reset();
        break;
    case kStatusRegister:
        data[0] = m_outputBuffer ? kStatusOutputBufferFull : 0;
        break;
    default:
        break; // ports 0x61..0x63 belong to other devices
    }
}

void I8042::write(uint64_t offset, std::span<const uint8_t> data)
{
    if (data.size() != 1)
        return;
    bool reset = false;
    {
        std::lock_guard lock(m_mutex);
        switch (offset) {
        case kDataRegister:
            if (m_expectingCommandByte)
                m_commandByte = data[0];
            m_expectingCommandByte = false; // bytes for the (absent) keyboard are dropped
            break;
        case kCommandRegister:
            reset = command(data[0]);
            break;
        default:
            break;
        }
    }
    // Outside the lock: the callback may stop the machine, which may touch devices.
    if (reset && m_onResetRequest)
        m_onResetRequest();
}

bool I8042::command(uint8_t value)
{
    m_expectingCommandByte = false;
    switch (value) {
    case kCommandReadCommandByte:
        m_outputBuffer = m_commandByte;
        return false;
    case kCommandWriteCommandByte:
        m_expectingCommandByte = true;
        return false;
    case kCommandSelfTest:
        m_outputBuffer = kSelfTestPassed;
        return false;
    case kCommandPulseReset:
        return true;
    default:
        return false; // everything else (keyboard/mouse port control) is not ours to emulate
    }
}

} // namespace vmm
