#include "ControlProtocol.h"

namespace vmm {

std::string_view controlKindName(uint16_t kind)
{
    switch (static_cast<ControlKind>(kind)) {
    case ControlKind::Reply:
        return "reply";
    case ControlKind::Status:
        return "status";
    case ControlKind::Pause:
        return "pause";
    case ControlKind::Resume:
        return "resume";
    case ControlKind::Stop:
        return "stop";
    case ControlKind::ConsoleInput:
        return "console-input";
    case ControlKind::MetricsRequest:
        return "metrics-request";
    case ControlKind::SubscribeMetrics:
        return "subscribe-metrics";
    case ControlKind::AddDataset:
        return "add-dataset";
    case ControlKind::StreamOpen:
        return "stream-open";
    case ControlKind::StreamOpened:
        return "stream-opened";
    case ControlKind::StreamData:
        return "stream-data";
    case ControlKind::StreamEnd:
        return "stream-end";
    case ControlKind::StreamClose:
        return "stream-close";
    case ControlKind::StreamClosed:
        return "stream-closed";
    case ControlKind::StreamAck:
        return "stream-ack";
    case ControlKind::State:
        return "state";
    case ControlKind::ConsoleOutputBytes:
        return "console-output";
    case ControlKind::ConsoleDropped:
        return "console-dropped";
    case ControlKind::GuestExit:
        return "guest-exit";
    case ControlKind::Metrics:
        return "metrics";
    case ControlKind::ShredReport:
        return "shred-report";
    case ControlKind::DatasetManifest:
        return "dataset-manifest";
    case ControlKind::DatasetVerify:
        return "dataset-verify";
    }
    if (kind == 0x0001)
        return "hello";
    if (kind == 0x0002)
        return "error";
    return "unknown";
}

} // namespace vmm
